/**
 * What of a model's reply a client may see. A line is the reply's `content`
 * (or, when a reply has no JSON at all, its plain text) without what models
 * add around it: reasoning blocks, code fences, JSON encoded a second time,
 * a speaker label (`Counselor:`, `咨询师：`), and nothing past the length cap.
 * VisibleStream applies the same rules while the reply is still arriving,
 * holding text back until it is clear that it is none of those.
 */
import { ContentStream, parseReply, withoutThinking } from "../prompts/reply";

/** Default cap on one line, in characters (StepOptions.maxContentChars). */
export const DEFAULT_MAX_CONTENT_CHARS = 2000;

const LABELS = ["counselor", "counsellor", "therapist", "assistant", "ai", "咨询师", "心理咨询师", "咨询员", "助手", "ai助手"];
const LABEL = new RegExp(`^\\s*(?:\\*\\*)?(?:${LABELS.join("|")})(?:\\*\\*)?\\s*[:：]\\s*(?:\\*\\*)?\\s*`, "i");
const FENCE = /^\s*```[\w-]*\s*\n?([\s\S]*?)\n?\s*```\s*$/;
const SENTENCE_END = /[.!?。！？…][”"')）]?(?=\s|$)|[。！？][”"）]?/g;

function withoutLabel(text: string): string {
  return text.replace(LABEL, "");
}

/** The text up to its last complete sentence, or "" when it has none. */
export function completeSentences(text: string): string {
  let end = 0;
  for (const m of text.matchAll(SENTENCE_END)) end = m.index + m[0].length;
  return text.slice(0, end).trimEnd();
}

/** At most `max` characters, cut after a sentence when one ends in the second half, else after a word. */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const sentences = completeSentences(head);
  if (sentences.length >= max / 2) return sentences;
  const space = head.lastIndexOf(" ");
  return `${(space >= max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

/** A line without the wrappers models put around it, capped; "" when nothing is left. */
export function cleanLine(text: string, max: number): string {
  let line = withoutThinking(text).trim();
  const fenced = FENCE.exec(line);
  if (fenced) line = fenced[1]!.trim();
  if (line.startsWith("{")) {
    // JSON inside the content: the content it holds is the line.
    const inner = parseReply(line, ["content"])?.content;
    line = typeof inner === "string" ? inner.trim() : "";
  }
  return capped(withoutLabel(line).trim(), max);
}

/** Whether text could still grow into a label (`Couns`, `咨询`), so must not be shown yet. */
function mayBecomeLabel(text: string): boolean {
  const t = text.trimStart().replace(/^\*\*/, "").toLowerCase();
  return t.length > 0 && LABELS.some((l) => l.startsWith(t) || (t.startsWith(l) && /^[\s*]*$/.test(t.slice(l.length))));
}

/**
 * The visible line of a reply while it streams. push() takes the next raw
 * chunk and returns the text the client may see now. Only a reply that is a
 * JSON object from its start (after reasoning and a fence) streams: prose or
 * plain text is shown once complete, when it is clear what it is.
 */
export class VisibleStream {
  private raw = "";
  private fed = 0;
  /** undefined until the start of the reply is known; false: nothing streams. */
  private json: boolean | undefined;
  private readonly content = new ContentStream();
  private decoded = "";
  /** How the start of the content reads: "wait" until clear, "hold" for content that is not a plain line. */
  private opening: "wait" | "open" | "hold" = "wait";
  private start = 0;
  /** The visible text so far. */
  shown = "";

  constructor(private readonly max: number) {}

  /** The reply's EXIT flag once read. */
  get exit(): boolean | undefined {
    return this.content.exit;
  }

  push(chunk: string): string {
    this.raw += chunk;
    if (this.json === undefined) {
      const head = withoutThinking(this.raw).replace(/^\s*(```[\w-]*\s*)?/, "");
      if (/<(think|thinking|reasoning)>/i.test(this.raw) && !/<\/(think|thinking|reasoning)>/i.test(this.raw)) return "";
      if (head === "" || /^`{1,3}$/.test(head)) return "";
      this.json = head.startsWith("{");
      this.fed = this.raw.length - head.length;
    }
    if (!this.json) return "";
    this.decoded += this.content.push(this.raw.slice(this.fed));
    this.fed = this.raw.length;
    return this.release();
  }

  private release(): string {
    if (this.opening === "wait") {
      const text = this.decoded.trimStart();
      if (text === "") return "";
      if (/^[{[`<]/.test(text)) this.opening = "hold";
      else if (LABEL.test(text)) {
        const rest = withoutLabel(text);
        if (rest === "") return "";
        this.opening = "open";
        this.start = this.decoded.length - rest.length;
      } else if (mayBecomeLabel(text)) return "";
      else {
        this.opening = "open";
        this.start = this.decoded.length - text.length;
      }
    }
    if (this.opening === "hold") return "";
    const visible = this.decoded.slice(this.start, this.start + this.max);
    const added = visible.slice(this.shown.length);
    this.shown = visible;
    return added;
  }
}
