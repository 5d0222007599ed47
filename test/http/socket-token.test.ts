/**
 * The WebSocket token in `Sec-WebSocket-Protocol` (`heartrule.v1`, `bearer.<JWT>`) instead of the URL: the
 * server answers `heartrule.v1`, never the token; `?token=` still works for older clients.
 */
import { describe, expect, it } from "vitest";
import { SOCKET_PROTOCOL, socketProtocols, TOKEN_PROTOCOL_PREFIX } from "../../src/http/socket-token";
import { call, expectProblem } from "../helpers";
import { person, startSession, tinyScript } from "../session/helpers";

const upgrade = (sessionId: string, headers: Record<string, string>, query = "") =>
  call(`/api/sessions/${sessionId}/ws${query}`, { headers: { Upgrade: "websocket", ...headers } });

async function firstFrame(res: Response): Promise<Record<string, unknown>> {
  const ws = res.webSocket!;
  const frame = new Promise<Record<string, unknown>>((resolve) => ws.addEventListener("message", (e) => resolve(JSON.parse(e.data as string))));
  ws.accept();
  const first = await frame;
  ws.close();
  return first;
}

describe("the WebSocket token as a subprotocol", () => {
  it("connects, and the answer names heartrule.v1 and not the token", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: tinyScript("subprotocol") });
    const res = await upgrade(sessionId, { "sec-websocket-protocol": socketProtocols(author.token).join(", ") });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe(SOCKET_PROTOCOL);
    expect(await firstFrame(res)).toMatchObject({ type: "state" });
  });

  it("refuses a token offered without heartrule.v1 (there would be no protocol to answer with) and a bad token", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: tinyScript("subprotocol_bad") });
    await expectProblem(await upgrade(sessionId, { "sec-websocket-protocol": `${TOKEN_PROTOCOL_PREFIX}${author.token}` }), 400, "BAD_REQUEST");
    await expectProblem(await upgrade(sessionId, { "sec-websocket-protocol": socketProtocols("not.a.jwt").join(", ") }), 401, "INVALID_TOKEN");
  });

  it("still takes ?token= from older clients, answering no subprotocol since none was offered", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: tinyScript("subprotocol_old") });
    const res = await upgrade(sessionId, {}, `?token=${encodeURIComponent(author.token)}`);
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBeNull();
    expect(await firstFrame(res)).toMatchObject({ type: "state" });
  });
});
