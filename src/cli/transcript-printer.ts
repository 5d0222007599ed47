/**
 * How `heartrule chat` writes the AI's lines. On a terminal a line streams as
 * it is generated, and a line the server takes back (a discarded model
 * attempt, a failed turn) is erased from the screen before its replacement
 * streams. Anywhere else (a pipe, a file) nothing can be erased, so each line
 * is written once, when it is final: what was taken back never appears.
 */
import { describeCrisisResource } from "../engine/safety/crisis-lines";
import type { CrisisResource } from "../engine/safety/resources";
import type { Line, LineChange } from "../web/client/conversation";

export interface TranscriptPrinter {
  apply(change: LineChange): void;
}

/** Each AI line once, final; for output that cannot be rewritten. */
export function finalLinePrinter(prefix: string, write: (text: string) => void): TranscriptPrinter {
  const written = new Set<string>();
  return {
    apply({ line }) {
      if (line.role !== "assistant" || line.state !== "final" || written.has(line.key)) return;
      written.add(line.key);
      write(`${prefix}${line.content}\n`);
    },
  };
}

/**
 * Streams each AI character once. Lines stream one after another, but a
 * turn's final messages arrive together at its end: a new line closes the one
 * before it, and a final text only adds what the stream did not deliver (text
 * lost to a dropped connection). Only the open line (the last thing on
 * screen) can be erased; a closed line that is taken back is written again
 * in full once final.
 */
export function streamingPrinter(prefix: string, write: (text: string) => void, columns: () => number): TranscriptPrinter {
  let open: { key: string; printed: string } | null = null;
  /** Lines no longer open, with what was printed of them; null once their final text is out. */
  const closed = new Map<string, string | null>();

  const extend = (line: Line) => {
    const current = open!;
    if (line.content.startsWith(current.printed)) write(line.content.slice(current.printed.length));
    else write(`\n${prefix}${line.content}`);
    current.printed = line.content;
    if (line.state === "final") {
      write("\n");
      closed.set(current.key, null);
      open = null;
    }
  };
  const closeOpen = () => {
    if (!open) return;
    write("\n");
    closed.set(open.key, open.printed);
    open = null;
  };
  const show = (line: Line) => {
    if (open?.key === line.key) return extend(line);
    if (closed.has(line.key)) {
      const printed = closed.get(line.key);
      if (line.state !== "final" || printed === null || printed === undefined) return;
      closed.set(line.key, null);
      if (line.content === printed) return;
      write(`${prefix}${printed && line.content.startsWith(printed) ? `…${line.content.slice(printed.length)}` : line.content}\n`);
      return;
    }
    closeOpen();
    write(prefix);
    open = { key: line.key, printed: "" };
    extend(line);
  };
  const takeBack = (line: Line) => {
    if (open?.key === line.key) {
      write(erase(`${prefix}${open.printed}`, columns()));
      open = null;
    } else if (closed.get(line.key)) {
      // Already scrolled past the open line: its final text is written again in full.
      closed.set(line.key, "");
    }
  };
  return {
    apply({ kind, line }) {
      if (line.role !== "assistant") return;
      if (kind === "removed") takeBack(line);
      else show(line);
    },
  };
}

/** A human counselor's lines, each once when final under its own prefix (they never stream); every other line goes to `printer`. */
export function withCounselorLines(printer: TranscriptPrinter, prefix: string, write: (text: string) => void): TranscriptPrinter {
  const written = new Set<string>();
  return {
    apply(change) {
      const { line } = change;
      if (line.role !== "counselor") return printer.apply(change);
      if (line.state !== "final" || written.has(line.key)) return;
      written.add(line.key);
      write(`${prefix}${line.content}\n`);
    },
  };
}

/** The crisis lines as the terminal shows them after a flagged turn's reply: a heading, then one indented line each. */
export function crisisNotice(heading: string, resources: CrisisResource[]): string {
  return `\n${heading}\n${resources.map((r) => `  ${describeCrisisResource(r)}\n`).join("")}\n`;
}

/** Moves the cursor back to where `text` started (it ends at the cursor) and clears from there down. */
export function erase(text: string, columns: number): string {
  const rows = text.split("\n").reduce((sum, segment) => sum + Math.max(1, Math.ceil(width(segment) / columns)), 0);
  return `\r${rows > 1 ? `\x1b[${rows - 1}A` : ""}\x1b[J`;
}

/** Terminal columns of a string: East Asian wide and full-width characters take two. */
export function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += wide(char.codePointAt(0)!) ? 2 : 1;
  return columns;
}

function wide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
