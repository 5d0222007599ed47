/**
 * What `heartrule chat` writes for the conversation's line changes: on a
 * terminal, streamed text with retracted lines erased (checked by replaying
 * the escape codes on a tiny screen model); in a pipe, each final line once.
 */
import { describe, expect, it } from "vitest";
import { Conversation } from "../../../src/web/client/conversation";
import { erase, finalLinePrinter, streamingPrinter, width, withCounselorLines } from "../../../src/cli/transcript-printer";

/** The visible rows after writing `output` to a terminal `columns` wide (wrapping, \r, \n, cursor up, clear down). */
function screen(output: string, columns: number): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escapes the printer writes are what this reads
  const tokens = output.match(/\x1b\[\d*[AJ]|[\s\S]/gu) ?? [];
  for (const token of tokens) {
    if (token.startsWith("\x1b[")) {
      if (token.endsWith("A")) row = Math.max(0, row - Number(token.slice(2, -1) || 1));
      else {
        rows[row]!.length = col;
        rows.length = row + 1;
      }
    } else if (token === "\r") col = 0;
    else if (token === "\n") {
      row++;
      col = 0;
      rows[row] ??= [];
    } else {
      const w = width(token);
      if (col + w > columns) {
        row++;
        col = 0;
        rows[row] ??= [];
      }
      rows[row]![col] = token;
      if (w === 2) rows[row]![col + 1] = "";
      col += w;
    }
  }
  return rows.map((r) => r.join(""));
}

function session(printer: "tty" | "pipe", columns = 20) {
  const c = new Conversation();
  let out = "";
  const p =
    printer === "tty"
      ? streamingPrinter(
          "AI: ",
          (t) => (out += t),
          () => columns,
        )
      : finalLinePrinter("AI: ", (t) => (out += t));
  c.onChange((change) => p.apply(change));
  return { c, output: () => out };
}

describe("the terminal transcript", () => {
  it("erases a retracted line, wrapped over several rows, and streams its replacement in its place", () => {
    const { c, output } = session("tty");
    c.applyMessage({ type: "message", seq: 1, role: "assistant", content: "Hello.", actionId: "a", messageId: "msg_1" });
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "This first attempt is long enough to wrap" });
    c.applyDeltaReset({ type: "delta_reset", messageId: "msg_2" });
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Welcome, " });
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Sam." });
    c.applyMessage({ type: "message", seq: 2, role: "assistant", content: "Welcome, Sam.", actionId: "a", messageId: "msg_2" });
    expect(screen(output(), 20)).toEqual(["AI: Hello.", "AI: Welcome, Sam.", ""]);
  });

  it("counts wide characters twice when erasing Chinese text", () => {
    const { c, output } = session("tty", 12);
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "你说我很好但是其实" });
    c.applyDeltaReset({ type: "delta_reset", messageId: "msg_1" });
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "谢谢你。" });
    c.applyMessage({ type: "message", seq: 1, role: "assistant", content: "谢谢你。", actionId: "a", messageId: "msg_1" });
    expect(screen(output(), 12)).toEqual(["AI: 谢谢你。", ""]);
    expect(width("AI：谢谢")).toBe(8);
  });

  it("erases what a failed turn streamed", () => {
    const { c, output } = session("tty");
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Half a sen" });
    c.dropStreaming();
    expect(screen(output(), 20)).toEqual([""]);
  });

  it("moves up one row less than the text takes and clears from there", () => {
    expect(erase("AI: abc", 20)).toBe("\r\x1b[J");
    expect(erase("AI: abcdefghijklmnopqrstuvwxyz", 20)).toBe("\r\x1b[1A\x1b[J");
    expect(erase("AI: one\ntwo", 20)).toBe("\r\x1b[1A\x1b[J");
  });
});

describe("the piped transcript", () => {
  it("writes each final line once and never what was taken back", () => {
    const { c, output } = session("pipe");
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Half a sen" });
    c.applyDeltaReset({ type: "delta_reset", messageId: "msg_1" });
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Welcome." });
    c.applyMessage({ type: "message", seq: 1, role: "assistant", content: "Welcome.", actionId: "a", messageId: "msg_1" });
    c.applyMessage({ type: "message", seq: 1, role: "assistant", content: "Welcome.", actionId: "a", messageId: "msg_1" });
    c.applyMessage({ type: "message", seq: 2, role: "user", content: "Sam", actionId: "a" });
    expect(output()).toBe("AI: Welcome.\n");
  });
});

describe("a counselor's lines", () => {
  it("are printed once each under their own prefix, in a pipe and on a terminal, between the AI's", () => {
    for (const kind of ["pipe", "tty"] as const) {
      const c = new Conversation();
      let out = "";
      const write = (t: string) => (out += t);
      const inner = kind === "tty" ? streamingPrinter("AI: ", write, () => 80) : finalLinePrinter("AI: ", write);
      const p = withCounselorLines(inner, "Counselor: ", write);
      c.onChange((change) => p.apply(change));
      c.applyMessage({ type: "message", seq: 1, role: "assistant", content: "Hello.", actionId: "a", messageId: "msg_1" });
      const joined = {
        type: "message",
        seq: 2,
        role: "counselor",
        content: "A counselor, Alex, has joined the conversation.",
        actionId: "a",
        messageId: "csl_2",
      } as const;
      // The same message twice (a resume replays it): printed once.
      c.applyMessage(joined);
      c.applyMessage(joined);
      expect(screen(out, 80).filter(Boolean)).toEqual(["AI: Hello.", "Counselor: A counselor, Alex, has joined the conversation."]);
    }
  });
});
