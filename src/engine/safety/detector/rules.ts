/**
 * The shape of one language's rules. Every pattern is compiled once, when the
 * module loads, and uses only bounded repetition (no nested unbounded
 * quantifiers), so a scan stays linear in the text's length.
 */
import type { CrisisCategory, CrisisLevel } from "./result";

/** Who a match is about: the speaker, someone else, or the listener ("go kill yourself" is not a disclosure). */
export type Who = "self" | "other" | "listener";

export interface Rule {
  category: Exclude<CrisisCategory, "third_party">;
  level: Exclude<CrisisLevel, "none">;
  /** Global (`g`), so one compiled object is reused with lastIndex. */
  pattern: RegExp;
  /**
   * An act already done (pills swallowed): imminent, unless the message places
   * it in the past ("when I was 15"), then a past attempt (high).
   */
  act?: true;
  /** The pattern itself names the speaker ("better off without me"); otherwise a `who` group or the nearest subject decides. */
  self?: true;
}

export interface LanguageRules {
  /** The message holds this language's script. */
  script: RegExp;
  rules: Rule[];
  /** Idioms and set phrases blanked out before scanning ("笑死", "ready to die on this hill"). Global. */
  idioms: RegExp;
  /** Tested on the clause text just before a match: a negation that governs it ("I'm not", "我没有想"). */
  negation: RegExp;
  /** Tested on the sentence before a match: a reported question ("asked me if", "问我有没有"). */
  question: RegExp;
  /** A clause about media, news, fiction or study: only matches that name the speaker count there. */
  media: RegExp;
  /** Subjects, global: group 1 the speaker, group 2 someone else, group 3 the listener; the last one before a match wins. */
  subject: RegExp;
  /**
   * A time ("tonight", "等他们睡着"), a place or means at hand ("on the roof", "在阳台上"), or someone
   * out of reach ("can't reach her", "联系不上"): turns intent, a method or a plan into imminent.
   */
  imminence: RegExp;
  /** Long ago: turns an act into a past attempt. */
  distant: RegExp;
  /** Within the last day ("last night", "昨晚"): a past attempt that recent is imminent (injuries, a second try). */
  recent: RegExp;
}

/** Builds a global, case-sensitive pattern (text is lower-cased first) from a source written as a template. */
export function rule(category: Rule["category"], level: Rule["level"], source: string, flags: Partial<Pick<Rule, "act" | "self">> = {}): Rule {
  return { category, level, pattern: new RegExp(source, "gu"), ...flags };
}
