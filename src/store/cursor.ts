import { DomainError } from "../errors";

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

/**
 * Opaque keyset cursors: the sort key of the last item of a page, base64url
 * encoded. Clients must not build them; a tampered cursor is a 400.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<T extends readonly ("string" | "number")[]>(
  cursor: string,
  shape: T,
): { [K in keyof T]: T[K] extends "number" ? number : string } {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const key: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) {
      return key as { [K in keyof T]: T[K] extends "number" ? number : string };
    }
  } catch {
    // fall through to the problem below
  }
  throw new DomainError("VALIDATION_FAILED", "The cursor is not valid; use the nextCursor of a previous page.", {
    errors: [{ path: "cursor", message: "not a cursor this API issued" }],
  });
}

/** Splits the `limit + 1` rows a page query fetched into the page and the next cursor. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => readonly (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
