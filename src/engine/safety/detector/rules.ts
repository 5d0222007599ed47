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
  /** A vague plan whose "it" is a task when one is named nearby ("my essay … i'll do it when everyone's asleep"). */
  pronoun?: true;
  /** A vague plan that says something ends ("that's it for me", "一切就结束了"): with a time it is a plan. */
  ending?: true;
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
  /** Plans that name no act, read in context (context.ts). */
  vague: VagueRules;
}

/**
 * Signals that grade nothing alone but make a crisis beside each other, in one
 * message or across the client's recent turns (context.ts): "i've decided." is
 * a crisis after "tomorrow after work" or after "i'm so tired of all of it",
 * and nothing after "I've been thinking about the job offer for weeks".
 * Their rules' category and level are not read: context.ts grades what they make.
 */
export interface VagueRules {
  /** A plan that names no act: "i'll do it", a bare "i've decided", "tonight is the night", charcoal bought, things given away. */
  plans: Rule[];
  /** Distress below any grade ("tired of it all", "nothing will ever change", "i'm done."): context for a vague plan. */
  distress: Rule[];
  /** Timing that waits to be alone ("when everyone's asleep", "等家里没人"): a vague plan with it is a plan. */
  secretive: RegExp;
  /** A clause that is a time and nothing else ("tomorrow after work", "就这个周末"): the when of a bare decision. Anchored. */
  timeOnly: RegExp;
  /** A task named in the message or the turn before ("my essay", "做账"): what "i'll do it" then refers to. */
  task: RegExp;
}

/** Builds a global, case-sensitive pattern (text is lower-cased first) from a source written as a template. */
export function rule(
  category: Rule["category"],
  level: Rule["level"],
  source: string,
  flags: Partial<Pick<Rule, "act" | "self" | "pronoun" | "ending">> = {},
): Rule {
  return { category, level, pattern: new RegExp(source, "gu"), ...flags };
}
