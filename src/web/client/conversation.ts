/**
 * What a chat client shows, built from the frames it receives: every message
 * exactly once, in order, even when a reconnect replays frames it already has.
 *
 * Rules (the contract the page and `heartrule chat` rely on):
 * - a `message` is identified by its `seq`; a seq seen before is dropped;
 * - a `delta` grows the line of its `messageId` until that message arrives
 *   final; a delta for a message already final is dropped, and so are the
 *   deltas of a message that was streaming when the connection dropped (some
 *   of its text was lost: the final message, replayed on resume, completes it);
 * - a `delta_reset` takes back what streamed for its `messageId` (a discarded
 *   model attempt): the line is removed, and the deltas that follow start it
 *   afresh; a failed turn (`error`) takes back every line still streaming;
 * - what the user sends is shown at once as `sending` and confirmed by the
 *   server's echo (matched by clientMessageId, else the oldest unconfirmed
 *   line with the same text); it is resent after a reconnect until confirmed;
 * - `lastSeq` is the highest seq seen: what `resume` asks the server after.
 */
import type { DeltaFrame, DeltaResetFrame, ErrorFrame, MessageFrame, Role } from "./protocol";

export type LineState = "streaming" | "final" | "sending" | "failed";

export interface Line {
  /** Stable for the life of the line (DOM key): never changes when the line is confirmed. */
  key: string;
  role: Role;
  content: string;
  state: LineState;
  seq: number | null;
  messageId: string | null;
  clientMessageId: string | null;
  actionId: string | null;
}

/** `removed`: a streaming line taken back; a later delta for its message adds it again under the same key. */
export type LineChange = { kind: "added" | "updated" | "removed"; line: Line };

export class Conversation {
  readonly lines: Line[] = [];
  private readonly seenSeqs = new Set<number>();
  private readonly finalMessageIds = new Set<string>();
  /** Messages that were streaming when the connection dropped: their later deltas would leave a gap, so only the final text fills them. */
  private readonly interruptedMessageIds = new Set<string>();
  private highestSeq = 0;
  private listeners: ((change: LineChange) => void)[] = [];

  /** Highest seq received: send it as `resume.lastSeq`. */
  get lastSeq(): number {
    return this.highestSeq;
  }

  onChange(listener: (change: LineChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** User lines not yet confirmed by the server, oldest first (resent after a reconnect). */
  get unconfirmed(): Line[] {
    return this.lines.filter((l) => l.role === "user" && (l.state === "sending" || l.state === "failed"));
  }

  get streaming(): boolean {
    return this.lines.some((l) => l.state === "streaming");
  }

  /** Shows what the user sent, before the server confirms it. */
  addOutgoing(content: string, clientMessageId: string): Line {
    const line: Line = {
      key: `c:${clientMessageId}`,
      role: "user",
      content,
      state: "sending",
      seq: null,
      messageId: null,
      clientMessageId,
      actionId: null,
    };
    this.lines.push(line);
    this.emit("added", line);
    return line;
  }

  /**
   * A turn failed: its user line (confirmed or not) waits for Retry, which
   * resends the same clientMessageId. Without an id, the latest user line.
   */
  markFailed(error: Pick<ErrorFrame, "clientMessageId">): Line | null {
    const mine = this.lines.filter((l) => l.role === "user" && l.clientMessageId !== null);
    const line = error.clientMessageId ? mine.find((l) => l.clientMessageId === error.clientMessageId) : mine.at(-1);
    if (!line) return null;
    line.state = "failed";
    this.emit("updated", line);
    return line;
  }

  /** Failed lines are sent again; returns them so the caller resends them. A line the server had confirmed stays confirmed. */
  retryFailed(): Line[] {
    const failed = this.lines.filter((l) => l.state === "failed");
    for (const line of failed) {
      line.state = line.seq === null ? "sending" : "final";
      this.emit("updated", line);
    }
    return failed;
  }

  /** Applies a final message. Returns false when it was a duplicate. */
  applyMessage(frame: MessageFrame): boolean {
    if (this.seenSeqs.has(frame.seq)) return false;
    this.seenSeqs.add(frame.seq);
    this.highestSeq = Math.max(this.highestSeq, frame.seq);
    if (frame.messageId) this.finalMessageIds.add(frame.messageId);

    const existing = frame.role === "user" ? this.findOutgoing(frame) : this.findStreaming(frame);
    const line: Line = existing ?? {
      key: `s:${frame.seq}`,
      role: frame.role,
      content: "",
      state: "final",
      seq: null,
      messageId: null,
      clientMessageId: null,
      actionId: null,
    };
    line.content = frame.content;
    line.state = "final";
    line.seq = frame.seq;
    line.messageId = frame.messageId ?? line.messageId;
    line.clientMessageId = frame.clientMessageId ?? line.clientMessageId;
    line.actionId = frame.actionId;
    if (existing) this.emit("updated", line);
    else {
      this.lines.push(line);
      this.emit("added", line);
    }
    return true;
  }

  /** The connection dropped: text streamed from now on for half-received messages is ignored until their final message. */
  interruptStreams(): void {
    for (const line of this.lines) if (line.state === "streaming" && line.messageId) this.interruptedMessageIds.add(line.messageId);
  }

  /** Applies streamed text. Returns false when it was dropped (its message is already final, or was interrupted). */
  applyDelta(frame: DeltaFrame): boolean {
    if (this.finalMessageIds.has(frame.messageId) || this.interruptedMessageIds.has(frame.messageId)) return false;
    const line = this.lines.find((l) => l.state === "streaming" && l.messageId === frame.messageId);
    if (line) {
      line.content += frame.text;
      this.emit("updated", line);
      return true;
    }
    const added: Line = {
      key: `m:${frame.messageId}`,
      role: "assistant",
      content: frame.text,
      state: "streaming",
      seq: null,
      messageId: frame.messageId,
      clientMessageId: null,
      actionId: null,
    };
    this.lines.push(added);
    this.emit("added", added);
    return true;
  }

  /**
   * Takes back the text streamed for a message. Returns false when there was
   * none to take back (its message is already final). An interrupted message
   * is interrupted no longer: its text now streams again from the start.
   */
  applyDeltaReset(frame: DeltaResetFrame): boolean {
    if (this.finalMessageIds.has(frame.messageId)) return false;
    this.interruptedMessageIds.delete(frame.messageId);
    const line = this.lines.find((l) => l.state === "streaming" && l.messageId === frame.messageId);
    if (!line) return false;
    this.remove(line);
    return true;
  }

  /** A turn failed: the text it streamed never became a message, so none of it stays on screen. Returns the lines taken back. */
  dropStreaming(): Line[] {
    const streaming = this.lines.filter((l) => l.state === "streaming");
    for (const line of streaming) this.remove(line);
    return streaming;
  }

  private remove(line: Line): void {
    this.lines.splice(this.lines.indexOf(line), 1);
    this.emit("removed", line);
  }

  private findOutgoing(frame: MessageFrame): Line | undefined {
    const open = this.lines.filter((l) => l.role === "user" && l.seq === null && (l.state === "sending" || l.state === "failed"));
    if (frame.clientMessageId) return open.find((l) => l.clientMessageId === frame.clientMessageId);
    return open.find((l) => l.content === frame.content);
  }

  private findStreaming(frame: MessageFrame): Line | undefined {
    const open = this.lines.filter((l) => l.state === "streaming");
    // Without a messageId the final text belongs to the oldest line still streaming.
    return frame.messageId ? open.find((l) => l.messageId === frame.messageId) : open[0];
  }

  private emit(kind: LineChange["kind"], line: Line) {
    for (const listener of this.listeners) listener({ kind, line });
  }
}
