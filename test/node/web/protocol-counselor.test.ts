/** The client protocol (src/web/client/protocol.ts) reads a counselor's messages and the handoff and typing frames, and refuses malformed ones. */
import { describe, expect, it } from "vitest";
import { parseServerFrame } from "../../../src/web/client/protocol";

describe("counselor frames on the client", () => {
  it("reads a counselor's message, the handoff status and the typing signal", () => {
    expect(
      parseServerFrame(JSON.stringify({ type: "message", seq: 3, role: "counselor", content: "Hi, I'm Alex.", actionId: "ask_name", id: "csl_3" })),
    ).toEqual({
      type: "message",
      seq: 3,
      role: "counselor",
      content: "Hi, I'm Alex.",
      actionId: "ask_name",
      messageId: "csl_3",
    });
    expect(parseServerFrame('{"type":"handoff","status":"held","reason":"risk","counselorName":"Alex"}')).toEqual({
      type: "handoff",
      status: "held",
      counselorName: "Alex",
    });
    expect(parseServerFrame('{"type":"typing","role":"counselor","on":true}')).toEqual({ type: "typing", role: "counselor", on: true });
  });

  it("ignores what it does not understand", () => {
    expect(parseServerFrame('{"type":"message","seq":1,"role":"system","content":"x","actionId":null}')).toBeNull();
    expect(parseServerFrame('{"type":"handoff"}')).toBeNull();
    expect(parseServerFrame('{"type":"typing","role":"admin","on":true}')).toBeNull();
  });
});
