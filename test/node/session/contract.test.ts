/** The contract with clients: protocol.ts (frames as SSE events, client frames) and schemas.ts (what sessions answer). */
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, ClientFrameSchema, MAX_FRAME_BYTES, SSE_HEARTBEAT, sseEvent } from "../../../src/session/protocol";
import { TOKEN_EXPIRED_CLOSE } from "../../../src/web/client/protocol";
import { ClientMessageIdSchema, MAX_MESSAGE_CHARS, MessageSchema } from "../../../src/session/schemas";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("protocol.ts", () => {
  it("sends a frame as one SSE event: its seq as id, its type as event, the frame on one data line", () => {
    const frame = { type: "delta", messageId: "m", actionId: "a", text: "two\nlines" } as const;
    expect(text(sseEvent(frame, 4))).toBe(`id: 4\nevent: delta\ndata: ${JSON.stringify(frame)}\n\n`);
    expect(
      text(sseEvent(frame, 4))
        .split("\n")
        .filter((l) => l.startsWith("data:")),
    ).toHaveLength(1);
    expect(text(SSE_HEARTBEAT)).toMatch(/^:/);
  });

  it("takes user_message, resume and ping from clients, and nothing longer than a message may be", () => {
    expect(ClientFrameSchema.safeParse({ type: "user_message", content: "hi", clientMessageId: "tab1-1" }).success).toBe(true);
    expect(ClientFrameSchema.safeParse({ type: "user_message", content: "x".repeat(MAX_MESSAGE_CHARS + 1) }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: "resume", lastSeq: 1.5 }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: "shout" }).success).toBe(false);
  });

  it("fits the longest message in a frame however it is written, and gives clients the close code of an expired token", () => {
    const bytes = (content: string) =>
      new TextEncoder().encode(JSON.stringify({ type: "user_message", content, clientMessageId: "x".repeat(100) })).byteLength;
    // Three UTF-8 bytes per character, or six for a control character JSON escapes.
    for (const char of ["界", "\u0001"]) expect(bytes(char.repeat(MAX_MESSAGE_CHARS))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(TOKEN_EXPIRED_CLOSE).toBe(CLOSE_CODES.tokenExpired);
  });
});

describe("schemas.ts", () => {
  it("accept clientMessageIds of letters, digits and . _ : - up to 100 characters", () => {
    for (const ok of ["tab1-0007", "a.b_c:d", "x".repeat(100)]) expect(ClientMessageIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["", "with space", "x".repeat(101), "ü"]) expect(ClientMessageIdSchema.safeParse(bad).success).toBe(false);
  });

  it("describe a logged message with a seq from 1", () => {
    const m = {
      seq: 1,
      id: "msg_1",
      role: "assistant",
      content: "hi",
      actionId: null,
      clientMessageId: null,
      createdAt: "1970-01-01T00:00:00.000Z",
      metadata: null,
    };
    expect(MessageSchema.parse(m)).toEqual(m);
    expect(MessageSchema.safeParse({ ...m, seq: 0 }).success).toBe(false);
    expect(MessageSchema.safeParse({ ...m, role: "system" }).success).toBe(false);
  });
});
