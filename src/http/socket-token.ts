/**
 * The WebSocket's token in the `Sec-WebSocket-Protocol` header rather than in
 * the URL (URLs end up in logs and histories). A browser cannot set headers
 * on a WebSocket, but it can offer subprotocols: the client offers
 * `heartrule.v1` and `bearer.<JWT>` (a JWT's characters are all allowed in a
 * subprotocol name), and the server answers `heartrule.v1`, never the token.
 * `?token=` stays for older clients.
 */
export const SOCKET_PROTOCOL = "heartrule.v1";
export const TOKEN_PROTOCOL_PREFIX = "bearer.";

/** The subprotocols a client offers to carry `token`. */
export function socketProtocols(token: string): string[] {
  return [SOCKET_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
}

/** What a `Sec-WebSocket-Protocol` request header offers: the token, and whether the protocol the server must answer with is among them. */
export function offeredProtocols(header: string | undefined): { token: string | undefined; protocol: boolean } {
  const offered = (header ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const token = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
  return { token: token || undefined, protocol: offered.includes(SOCKET_PROTOCOL) };
}
