/**
 * The local crisis detector: a pure, synchronous scan of a client's message in
 * English and Simplified Chinese (traditional characters folded, both rule sets
 * run on whatever scripts the message holds, since people mix languages).
 *
 * Grading (src/engine/safety/README.md says the same):
 * - low: indirect signs — hopelessness, being a burden, wanting to disappear
 *   or not wake up, ambivalence about living ("I'm not sure I want to live").
 * - high: direct intent ("I want to die", "不想活了"), euphemisms that name the
 *   act ("ending it", "一了百了"), a method or means ("jump off a bridge",
 *   "割腕"), a past attempt, or preparations (a note, stockpiled pills).
 * - imminent: intent, a method or a plan with a time ("tonight", "等他们睡着"),
 *   means at hand ("the pills are in front of me", "我现在就在天台上"), or an
 *   act already done or under way ("I took a lot of pills last night",
 *   "我吞了很多药"), unless the message places that act in the past
 *   ("when I was 15", "去年"), which makes it a past attempt (high).
 * - a plan that names no act ("i've decided.", "我就动手") grades nothing alone
 *   and high or imminent beside its time, a second sign, distress or a risk,
 *   in the message or in the client's recent messages (context.ts).
 * Not crises: negated statements ("I'm not suicidal", "我没有想自杀"; but "I'm
 * not sure I want to live" is not a negation), idioms ("this deadline is
 * killing me", "笑死", "想死你了", "跳楼价"), reported questions ("she asked if
 * I ever thought about suicide"), and media, news, fiction or study unless the
 * words name the speaker ("that film made me want to kill myself" still counts).
 * Someone else in danger ("my friend said she wants to kill herself") is
 * graded the same and sets thirdParty.
 *
 * The result holds no words of the message, only a grade and categories.
 */
import { inContext, type MessageReading } from "./context";
import { english } from "./en";
import { crisisCategories, type CrisisCategory, type CrisisDetection, type CrisisLevel, levelRank } from "./result";
import type { LanguageRules, Rule, Who } from "./rules";
import { chinese } from "./zh";
import { normalize } from "./normalize";

export { crisisCategories, crisisDetectionSchema, crisisLevels, levelRank } from "./result";
export type { CrisisCategory, CrisisDetection, CrisisLevel } from "./result";

export interface DetectOptions {
  /**
   * The session's language (BCP 47). A hint only: both rule sets run on the
   * scripts the message holds, because people mix languages mid-sentence.
   */
  language?: string;
  /**
   * The client's previous messages in the conversation, oldest first (a few
   * are enough: RECENT_TURNS are read). A plan that names no act counts as a
   * crisis after distress in them (context.ts); without them each message is
   * read alone.
   */
  recent?: readonly string[];
}

/** How many of the client's previous messages give a vague plan its context. */
export const RECENT_TURNS = 4;

const LANGUAGES: LanguageRules[] = [english, chinese];
/** Sentences end at . ! ? ; 。 … or a line break (full-width forms are ASCII after NFKC). */
const SENTENCE = /[^.!?;\n。…]+/gu;
/** Clauses end where sentences do and at commas and colons. */
const CLAUSE = /[^.!?;\n。…,、:]+/gu;
/**
 * How far around a match its context (negation, subject, question, media) is
 * read, in characters: enough for a long clause, and a bound that keeps a scan
 * linear however many matches a long message holds.
 */
const CONTEXT = 160;
/** A clause starts after the last comma or colon. */
const CLAUSE_BREAKS = [",", "、", ":"];
/** Signals that a time, a place or means at hand make imminent. */
const ESCALATES = new Set<Rule["category"]>(["direct", "indirect", "method", "plan"]);

interface Hit {
  rule: Rule;
  who: Exclude<Who, "listener">;
}

export function detectCrisis(text: string, options: DetectOptions = {}): CrisisDetection {
  const earlier = (options.recent ?? []).slice(-RECENT_TURNS);
  let recent: MessageReading[] | undefined;
  const readRecent = () => (recent ??= earlier.map((t, i) => readMessage(t, i > 0 && namesTask(earlier[i - 1]!))));
  const before = earlier.at(-1);
  return inContext(readMessage(text, before !== undefined && namesTask(before)), readRecent);
}

/** One message alone: its grade, and the signals below any grade that context may raise. */
function readMessage(text: string, taskBefore: boolean): MessageReading {
  const normalized = normalize(text);
  const categories = new Set<CrisisCategory>();
  let level: CrisisLevel = "none";
  let thirdParty = false;
  const reading = { vaguePlans: 0, ending: false, secretive: false, timeOnly: false, distress: false, timed: false };
  for (const language of LANGUAGES) {
    if (!language.script.test(normalized)) continue;
    const scanned = normalized.replace(language.idioms, (idiom) => " ".repeat(idiom.length));
    const imminent = language.imminence.test(scanned);
    const vague = language.vague;
    // "i'll do it" refers to a task named here or just before ("my essay is due friday"), and so does its timing.
    const aboutTask = taskBefore || vague.task.test(scanned);
    const plans = scan(language, scanned, vague.plans).filter(ownPlan(aboutTask));
    reading.vaguePlans += new Set(plans.map((h) => h.rule)).size;
    reading.ending ||= plans.some((h) => h.rule.ending);
    reading.secretive ||= !aboutTask && vague.secretive.test(scanned);
    // A time clause that is itself a vague plan ("那就今晚吧") is not that plan's when.
    reading.timeOnly ||= clauses(scanned).some((c) => vague.timeOnly.test(c) && !vague.plans.some((r) => matches(r.pattern, c)));
    reading.distress ||= scan(language, scanned, vague.distress).some((h) => h.who === "self");
    reading.timed ||= imminent;
    const hits = scan(language, scanned, language.rules);
    if (hits.length === 0) continue;
    const distant = language.distant.test(scanned);
    const recent = language.recent.test(scanned);
    for (const { rule, who } of hits) {
      let graded: CrisisLevel = rule.level;
      categories.add(rule.category);
      if (distant && (rule.act || rule.category === "method")) {
        categories.add("past_attempt");
        if (rule.act) graded = "high";
      } else if (rule.category === "past_attempt" && recent) {
        graded = "imminent";
      } else if (graded === "high" && imminent && ESCALATES.has(rule.category)) {
        graded = "imminent";
        categories.add("plan");
      }
      if (who === "other") thirdParty = true;
      if (levelRank(graded) > levelRank(level)) level = graded;
    }
  }
  if (thirdParty) categories.add("third_party");
  return { detection: { level, categories: crisisCategories.filter((c) => categories.has(c)), thirdParty }, ...reading };
}

/** A vague plan of the speaker's own; "do it" not when a task is what it refers to. */
function ownPlan(aboutTask: boolean): (hit: Hit) => boolean {
  return (hit) => hit.who === "self" && !(aboutTask && hit.rule.pronoun);
}

function namesTask(text: string): boolean {
  const normalized = normalize(text);
  return LANGUAGES.some((language) => language.script.test(normalized) && language.vague.task.test(normalized));
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function clauses(text: string): string[] {
  return (text.match(CLAUSE) ?? []).map((c) => c.trim());
}

function scan(language: LanguageRules, text: string, rules: readonly Rule[]): Hit[] {
  const hits: Hit[] = [];
  SENTENCE.lastIndex = 0;
  for (let sentence = SENTENCE.exec(text); sentence; sentence = SENTENCE.exec(text)) {
    const words = sentence[0];
    for (const rule of rules) {
      const pattern = rule.pattern;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(words); match; match = pattern.exec(words)) {
        if (match[0] === "") pattern.lastIndex++;
        const who = judge(language, rule, words, match);
        if (who) {
          hits.push({ rule, who });
          break;
        }
      }
    }
  }
  return hits;
}

/** Whom a match is about, or undefined when it does not count (negated, an idiom's listener, a question, media). */
function judge(language: LanguageRules, rule: Rule, sentence: string, match: RegExpExecArray): Hit["who"] | undefined {
  const before = sentence.slice(Math.max(0, match.index - CONTEXT), match.index);
  const clauseStart = Math.max(...CLAUSE_BREAKS.map((c) => before.lastIndexOf(c))) + 1;
  const clauseBefore = before.slice(clauseStart);
  if (language.negation.test(clauseBefore) || language.question.test(before)) return undefined;
  const named = rule.self ? "self" : whoOf(match.groups?.who);
  const who = named ?? nearestSubject(language, before);
  if (who === "listener") return undefined;
  if (named !== "self") {
    const after = sentence.slice(match.index, match.index + CONTEXT);
    const clauseEnd = after.search(/[,、:]/u);
    const clause = clauseBefore + (clauseEnd < 0 ? after : after.slice(0, clauseEnd));
    if (language.media.test(clause)) return undefined;
  }
  return who;
}

function whoOf(pronoun: string | undefined): Who | undefined {
  if (pronoun === undefined) return undefined;
  if (/^(?:my|me|i)/u.test(pronoun)) return "self";
  return /^your/u.test(pronoun) ? "listener" : "other";
}

/** The last subject named before the match; with none, the speaker (Chinese drops the subject, English starts "want to die"). */
function nearestSubject(language: LanguageRules, before: string): Who {
  let who: Who = "self";
  const subject = language.subject;
  subject.lastIndex = 0;
  for (let m = subject.exec(before); m; m = subject.exec(before)) who = m[1] ? "self" : m[2] ? "other" : "listener";
  return who;
}
