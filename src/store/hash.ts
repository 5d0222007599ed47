const encoder = new TextEncoder();

/** Hex SHA-256 of the UTF-8 text: the content address of files and blobs. */
export async function contentHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function byteLength(text: string): number {
  return encoder.encode(text).byteLength;
}
