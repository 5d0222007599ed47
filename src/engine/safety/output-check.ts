/**
 * A local check of a line the AI is about to show for the boundaries the
 * safety rules draw: no diagnosis, no prescription or dosage, no promised
 * outcome, no harmful advice (stopping medication, alcohol to cope, details
 * of ways to self-harm). It backs up the model's own `safety_risk` report,
 * for the lines a model does not report; the output guard (runtime/guard.ts)
 * replaces a line either of them flags.
 *
 * The rules look at one clause at a time. A match is not a crossing when
 * what leads up to it in its clause negates, hedges or reports it ("I can't
 * promise…", "only a doctor can tell whether you have…", "you mentioned
 * taking…"), when it asks about the client ("Are you taking…?"), or when the
 * rest of the clause hands the question to a doctor. Every pattern has
 * bounded gaps and no nested repetition, so a check takes time linear in
 * the line's length. It returns kinds only, never text.
 */

export const guardKinds = ["diagnosis", "prescription", "guarantee", "inappropriate_advice"] as const;
export type GuardKind = (typeof guardKinds)[number];

export interface OutputCheck {
  flagged: boolean;
  /** The boundaries crossed, in the order of guardKinds. */
  kinds: GuardKind[];
}

interface Rule {
  kind: GuardKind;
  pattern: RegExp;
  /** A clause that leads up to the match with one of these words negates or hedges it (default true). */
  negatable?: boolean;
  /** Not a crossing in a question (diagnoses asked about: "Do you think you have…?"). */
  statementOnly?: boolean;
  /** The rest of the clause hands it to a doctor ("…before you talk to your doctor"). */
  deferable?: boolean;
}

// ——— English (matched on the lowercased line, straight apostrophes) ———

const CONDITION_EN =
  "(?:clinical |major |severe |mild |chronic |an? )?(?:depression|depressive disorder|bipolar(?: disorder)?|manic depression|ptsd|c-ptsd|post-traumatic stress disorder|ocd|obsessive[- ]compulsive disorder|adhd|(?:generali[sz]ed |social )?anxiety disorder|panic disorder|borderline(?: personality disorder)?|bpd|(?:narcissistic |antisocial |avoidant |dependent )?personality disorder|schizophrenia|schizoaffective disorder|psychosis|eating disorder|anorexia|bulimia|binge[- ]eating disorder|autism|asperger'?s|dementia|insomnia disorder|dissociative identity disorder|[a-z]+ disorder)\\b";
const LABEL_EN =
  "(?:clinically depressed|bipolar|schizophrenic|psychotic|anorexic|bulimic|autistic|a narcissist|narcissistic|a sociopath|a psychopath)\\b";
const ADVERB_EN =
  "(?:probably |likely |definitely |clearly |obviously |certainly |may |might |could |must |seem to |appear to |also |really |actually )?";
const DRUG_EN =
  "(?:sertraline|zoloft|prozac|fluoxetine|paroxetine|paxil|citalopram|celexa|escitalopram|lexapro|venlafaxine|effexor|duloxetine|cymbalta|bupropion|wellbutrin|mirtazapine|trazodone|xanax|alprazolam|valium|diazepam|ativan|lorazepam|klonopin|clonazepam|benzodiazepines?|benzos|ambien|zolpidem|melatonin|lithium|quetiapine|seroquel|olanzapine|adderall|ritalin|antidepressants?|ssris?|sleeping (?:pills?|tablets?)|sedatives?|tranquili[sz]ers?|painkillers?)\\b";
const MEDS_EN = `(?:meds|medications?|medicines?|pills|tablets|antidepressants?|prescriptions?|${DRUG_EN})`;
const AMOUNT_EN = "\\d+(?:\\.\\d+)?\\s?(?:mg|milligrams?|mcg|micrograms?|ml|millilit(?:er|re)s?|iu)\\b";
const COUNT_EN =
  "(?:a|an|one|two|three|four|five|another|half an?|a couple of|a few|some|extra|\\d+)\\s(?:extra\\s)?(?:sleeping\\s)?(?:pills?|tablets?|capsules?|doses?)\\b";
const OUTCOME_EN =
  "(?:feel better|get better|recover|be fine|be okay|be ok|be alright|be all right|be cured|be healed|heal|get over (?:it|this)|overcome|be happy again|be back to normal|be yourself again)\\b";
const SURELY_EN = "(?:definitely|certainly|surely|absolutely|100%|undoubtedly|for sure|without (?:a )?doubt)";
const DRINK_EN =
  "(?:a drink|another drink|some drinks|a few drinks|a couple of drinks|a glass of (?:wine|whiskey|whisky|beer)|a beer|some beers|a shot|some shots|some wine|some alcohol|a joint|some weed)\\b";

const english: Rule[] = [
  // "you have depression", "you probably have bipolar disorder", "you're suffering from ptsd"
  {
    kind: "diagnosis",
    statementOnly: true,
    pattern: new RegExp(
      `\\byou(?:'re| are|'ve)? ${ADVERB_EN}(?:have|have got|got|suffer from|suffering from|show signs of|showing signs of|meet the criteria for|developed|have developed) ${CONDITION_EN}`,
      "g",
    ),
  },
  // "you are clinically depressed", "you're bipolar"
  { kind: "diagnosis", statementOnly: true, pattern: new RegExp(`\\byou(?:'re| are) ${ADVERB_EN}${LABEL_EN}`, "g") },
  // "sounds like bipolar disorder to me", "that looks like classic ptsd", "this is textbook ocd"
  {
    kind: "diagnosis",
    statementOnly: true,
    pattern: new RegExp(
      `\\b(?:(?:sounds?|looks?|seems?) (?:to me )?like|(?:this|that|it|these|those) (?:is|are|'s)) (?:you have |you're having |a case of |classic |textbook |typical |clearly |definitely |signs of |symptoms of )?(?:classic |textbook |a case of |signs of |symptoms of )?${CONDITION_EN}`,
      "g",
    ),
  },
  { kind: "diagnosis", pattern: /\b(?:i(?:'d| would)? diagnose you|my diagnosis is|i'm diagnosing you|you(?:'d| would) be diagnosed with)\b/g },
  // "take 50mg of sertraline", "go up to 100 mg"
  {
    kind: "prescription",
    deferable: true,
    pattern: new RegExp(
      `\\b(?:take|try|start|use|pop|swallow|add|increase it to|raise it to|go up to|bump it up to|lower it to|drop to|switch to|have)\\b[^.!?]{0,30}?\\b${AMOUNT_EN}`,
      "g",
    ),
  },
  // "take two pills", "try a couple of tablets"
  { kind: "prescription", deferable: true, pattern: new RegExp(`\\b(?:take|try|pop|swallow|have) ${COUNT_EN}`, "g") },
  // "increase your dose", "double the dosage", "take more of your meds"
  {
    kind: "prescription",
    deferable: true,
    pattern: new RegExp(
      `\\b(?:increase|raise|double|up|lower|reduce|decrease|halve|adjust|change|split) (?:your|the|that|this) (?:daily |current |usual )?(?:dose|dosage|doses)\\b|\\btake (?:more|less|extra|double) (?:of )?(?:your |the )?${MEDS_EN}`,
      "g",
    ),
  },
  // "try melatonin", "start on some antidepressants", "sleeping pills might help"
  {
    kind: "prescription",
    deferable: true,
    pattern: new RegExp(
      `\\b(?:take|try|start|start on|go on|get on|use|pop|get|buy|switch to|ask for) (?:some |a |an |a few |a little )?${DRUG_EN}|\\b${DRUG_EN} (?:will|would|could|might|should|can|may) (?:really |probably |definitely )?help\\b`,
      "g",
    ),
  },
  // "I promise you'll feel better", "I guarantee it will work"
  {
    kind: "guarantee",
    pattern:
      /\bi (?:can )?(?:promise|guarantee|assure you|swear)(?: you)?(?: that)? (?:you(?:'ll| will| are going to|'re going to)|it(?:'ll| will|'s going to)|things?(?:'ll| will| are going to)|everything(?:'ll| will|'s going to)|this(?:'ll| will))/g,
  },
  // "you will definitely recover", "this will certainly work"
  {
    kind: "guarantee",
    pattern: new RegExp(
      `\\b(?:you(?:'ll| will| are going to|'re going to)|it(?:'ll| will)|this(?:'ll| will)|things?(?:'ll| will)|everything(?:'ll| will)) ${SURELY_EN} (?:${OUTCOME_EN}|work|get easier|be better|go away)|\\byou(?:'ll| will) ${OUTCOME_EN} ${SURELY_EN}`,
      "g",
    ),
  },
  {
    kind: "guarantee",
    pattern:
      /\bguaranteed? (?:to|that|you|it)\b|\b100% (?:sure|certain|guaranteed)\b|\bwill (?:cure|fix) (?:you|your|this|it)\b|\b(?:completely|fully) cured\b/g,
  },
  // "you'll never feel this way again": the never is the promise
  {
    kind: "guarantee",
    negatable: false,
    pattern: /\byou(?:'ll| will) never (?:feel|be) (?:this way|like this|anxious|depressed|sad|low) again\b/g,
  },
  // "stop taking your medication", "you should come off your antidepressants"
  {
    kind: "inappropriate_advice",
    deferable: true,
    pattern: new RegExp(
      `\\b(?:stop|quit|come off|go off|get off|ditch|drop|skip|flush|throw away|give up|cut out|wean yourself off) (?:taking |using )?(?:all )?(?:your|the|those|these|that|this|any) (?:\\w+ )?${MEDS_EN}`,
      "g",
    ),
  },
  // "you don't need your medication", "meds are a crutch"
  {
    kind: "inappropriate_advice",
    negatable: false,
    pattern: new RegExp(
      `\\byou (?:don't|do not|won't|no longer) need (?:your |any |those |the |that )?(?:${MEDS_EN}|therapy|treatment|a doctor)|\\b(?:meds|medications?|antidepressants|pills) (?:are|is) (?:just )?(?:a crutch|poison|bad for you|unnecessary)|\\bbetter off without (?:your |the |any )?${MEDS_EN}`,
      "g",
    ),
  },
  // "just have a drink to relax", "a drink will help you sleep"
  {
    kind: "inappropriate_advice",
    pattern: new RegExp(
      `\\b(?:have|grab|pour yourself|get yourself|get|drink|try|smoke) ${DRINK_EN}[^.!?]{0,20}?\\bto (?:relax|calm|unwind|sleep|cope|forget|take the edge off|feel better|loosen up|numb|settle)|\\bjust (?:have|grab|pour yourself|get) ${DRINK_EN}|\\b(?:a drink|alcohol|a glass of wine|drinking|a joint|weed|getting drunk|getting high) (?:will|would|can|could|might|should|may) (?:really |probably |definitely )?(?:help|calm|relax)\\b`,
      "g",
    ),
  },
  // method details: "the most painless way to…", "a lethal dose", "cut deeper"
  {
    kind: "inappropriate_advice",
    negatable: false,
    pattern:
      /\b(?:best|easiest|quickest|fastest|safest|surest|most painless|least painful|most effective|most reliable) (?:way|ways|method|methods) (?:to|of) (?:kill(?:ing)? yourself|die|dying|end(?:ing)? (?:it|your life)|suicide|commit(?:ting)? suicide|overdos\w*|hurt(?:ing)? yourself|cut(?:ting)? yourself|self[- ]harm)|\b(?:lethal|fatal|deadly) (?:dose|amount|quantity)\b|\bhow (?:many|much) (?:\w+ )?(?:pills|tablets|mg) (?:it )?(?:takes?|would|will|to) (?:\w+ )?(?:kill|die|be lethal|be fatal)|\bcut (?:\w+ )?(?:deeper|vertically|lengthwise|along the vein)/g,
  },
];

/** How a language's lead-ins and clauses read. */
interface Reading {
  rules: Rule[];
  /**
   * Words one of which every match of every rule contains: most lines hold none, and a test for
   * them costs a fraction of testing each rule. A rule added here must add its words.
   */
  hint: RegExp;
  /** Longest lead-in read before a match, in characters. */
  lead: number;
  /** A lead-in that negates, hedges, reports what the client said or defers to a professional. */
  hedge: RegExp;
  /** A lead-in that asks about the client ("Are you taking…", "Did you have a drink…"). */
  asking: RegExp;
  /** The rest of a clause that hands the matter to a doctor. */
  defer: RegExp;
}

const ENGLISH: Reading = {
  rules: english,
  hint: new RegExp(
    `depress|bipolar|manic|ptsd|traumatic|ocd|obsessive|adhd|disorder|borderline|bpd|schizo|psycho|anorex|bulim|autis|asperger|dementia|narciss|sociopath|diagnos|\\d|mg|pill|tablet|capsule|dos[ea]|med|prescri|therapy|treatment|doctor|${DRUG_EN}|promise|guarantee|assure|swear|definitely|certainly|surely|absolutely|undoubtedly|for sure|doubt|cure|fix|never|drink|wine|beer|whisk|shot|alcohol|joint|weed|drunk|high|way|method|lethal|fatal|deadly|cut`,
  ),
  lead: 60,
  hedge:
    /(?:n't|\b(?:not|never|no|cannot|without|if|whether|when|wonder\w*|worr\w*|afraid|fear\w*|concern\w*|said|told|mention\w*|shar\w*|asked|unsure|only a|some people|many people|people often|seem\w*|before|tempting|urge)\b)/,
  asking: /^\s*(?:are|were|have|had|did|do|does|is|was|how (?:often|much|many)|when)\b/,
  defer: /\b(?:ask|talk|check|speak|consult|discuss|work)\w* (?:\w+ ){0,4}?(?:doctor|psychiatrist|prescriber|physician|pharmacist|gp)\b/,
};

// ——— Chinese ———

const CONDITION_ZH =
  "(?:抑郁症|抑郁障碍|重度抑郁|产后抑郁|焦虑症|焦虑障碍|广泛性焦虑|双相(?:情感)?障碍|双相|躁郁症|强迫症|精神分裂症?|精神病|创伤后应激障碍|PTSD|ptsd|多动症|注意缺陷多动障碍|ADHD|adhd|进食障碍|厌食症|暴食症|人格障碍|边缘型人格|自恋型人格|反社会人格|自闭症|孤独症|阿斯伯格|惊恐障碍|社交焦虑障碍|社交恐惧症|恐惧症|疑病症|失眠症|痴呆|躯体化障碍|心理疾病|精神疾病|[\\u4e00-\\u9fa5]{1,4}障碍)";
const DEGREE_ZH = "(?:一种|一些|典型的?|明显的?|轻度的?|中度的?|重度的?|严重的?|比较严重的?|轻微的?)?的?";
const DRUG_ZH =
  "(?:安眠药|抗抑郁药|抗焦虑药|镇静剂|镇定剂|舍曲林|左洛复|氟西汀|百忧解|帕罗西汀|赛乐特|艾司西酞普兰|来士普|西酞普兰|文拉法辛|度洛西汀|阿普唑仑|劳拉西泮|地西泮|安定片|氯硝西泮|佐匹克隆|唑吡坦|思诺思|褪黑素|喹硫平|奥氮平|利培酮|碳酸锂|曲唑酮|米氮平|安非他酮|止痛药)";
const NUMBER_ZH = "(?:一|两|二|三|四|五|六|七|八|九|十|半|几|\\d+(?:\\.\\d+)?)";

const chinese: Rule[] = [
  // 你患有抑郁症 / 你这是典型的焦虑症 / 你可能有双相情感障碍
  {
    kind: "diagnosis",
    statementOnly: true,
    pattern: new RegExp(
      `你(?:这|这个|的情况|的症状|这些症状)?(?:可能|也许|或许|大概|应该|肯定|一定|明显|显然|其实|就|已经|确实)?(?:是|有|患有|患了|患上了?|得了|得的是|属于|符合)了?${DEGREE_ZH}${CONDITION_ZH}`,
      "g",
    ),
  },
  // 听起来像是双相情感障碍 / 我觉得你得了抑郁症 / 这些症状符合抑郁症
  {
    kind: "diagnosis",
    statementOnly: true,
    pattern: new RegExp(
      `(?:听起来|看起来|看上去|我看|我觉得|我认为|我判断|据我判断|这些症状|这种情况|你的症状|这)(?:你)?(?:像是|像|是|就是|很像|应该是|可能是|属于|符合|说明|表明|得了|有|患有)了?${DEGREE_ZH}${CONDITION_ZH}`,
      "g",
    ),
  },
  { kind: "diagnosis", pattern: /(?:我)?诊断(?:你)?(?:为|是|出)|可以确诊|确诊(?:你)?(?:为|是|患有)/g },
  // 吃两片安眠药 / 每次服 50 毫克
  {
    kind: "prescription",
    deferable: true,
    pattern: new RegExp(
      `(?:吃|服|服用|用|来|试试|加到|减到|增加到|减少到|换成|吞)(?:上|下|个)?\\s?${NUMBER_ZH}\\s?(?:片|粒|颗|毫克|mg|克|毫升|ml)(?!面包|饼干|糖|巧克力|水果|西瓜|肉|蛋糕|吐司)`,
      "g",
    ),
  },
  // 加大剂量 / 减少药量
  {
    kind: "prescription",
    deferable: true,
    pattern:
      /(?:加|增加|加大|提高|减|减少|减小|降低|调整|调高|调低|翻倍|减半|改变)(?:一下|一点)?(?:你的)?(?:药量|剂量|用量|服药量|药的剂量)|把(?:你的)?(?:药量|剂量|用量)(?:调高|调低|加大|加倍|翻倍|减半|增加|降低|减少)/g,
  },
  // 试试褪黑素 / 吃点安眠药 / 褪黑素可以帮你入睡
  {
    kind: "prescription",
    deferable: true,
    pattern: new RegExp(
      `(?:吃|服用|服|试试|试一下|试着吃|来点|买点|买些|用点|换成|开点|去开)(?:一些|点|一点|些)?${DRUG_ZH}|${DRUG_ZH}(?:会|能|可以|应该)(?:帮|帮助|帮你|管用|有效|有用|让你)`,
      "g",
    ),
  },
  // 我保证你会好起来 / 保证会好
  { kind: "guarantee", pattern: /(?:保证|担保|打包票|发誓)(?:你)?(?:一定|肯定|绝对|会|能|可以|没事|没问题|治好|康复)/g },
  // 你一定会好起来的 / 肯定能康复
  {
    kind: "guarantee",
    pattern: /(?:一定|肯定|绝对|百分之百|100%|必然|铁定)(?:会|能|可以|就)?(?:好起来|好转|康复|痊愈|治好|治愈|没事|变好|走出来|恢复|好的)/g,
  },
  {
    kind: "guarantee",
    negatable: false,
    pattern: /彻底(?:治好|治愈|根治|摆脱|好了)|根治|包治|包好|再也不会(?:难过|焦虑|抑郁|痛苦|这样)|(?:马上|很快|立刻)就(?:会)?(?:好了|痊愈|康复)/g,
  },
  // 停药 / 把抗抑郁药停了
  {
    kind: "inappropriate_advice",
    deferable: true,
    pattern: new RegExp(
      `(?:停掉?|停了|停用|断掉|断了|戒掉|扔掉|丢掉)(?:你的)?(?:药物?|抗抑郁药|${DRUG_ZH})|(?:药|药物)(?:可以|就)?停了|把(?:你的)?(?:药物?|抗抑郁药|${DRUG_ZH})(?:停掉|停了|断掉|戒掉|扔掉)`,
      "g",
    ),
  },
  // 别再吃药了 / 是药三分毒
  {
    kind: "inappropriate_advice",
    negatable: false,
    pattern: new RegExp(
      `(?:别|不要|不用|不必|没必要|用不着)(?:再)?(?:吃|服|服用)(?:那些|这些|那个|这个)?(?:药物?|抗抑郁药|${DRUG_ZH})|(?:药|药物)不(?:用|必)(?:再)?吃了|是药三分毒`,
      "g",
    ),
  },
  // 喝点酒放松一下 / 借酒消愁
  {
    kind: "inappropriate_advice",
    pattern:
      /(?:喝|来)(?:点|几杯|一杯|两杯|一点|几口|点儿)?(?:酒|啤酒|红酒|白酒)吧?[^。！？，,]{0,6}?(?:放松|解压|解愁|助眠|睡觉|睡得着|好睡|缓解|就好了|会好|舒服|忘掉|麻痹)|借酒(?:消愁|浇愁)|一醉解千愁|喝醉(?:了)?就/g,
  },
  // method details
  {
    kind: "inappropriate_advice",
    negatable: false,
    pattern:
      /(?:最好|最快|最简单|最不痛|不痛苦|最有效|最稳妥)的?(?:自杀|自残|死|结束生命|割腕)(?:方法|方式|办法)|致死(?:剂量|量)|(?:吃|吞)多少(?:片|粒)?(?:药|安眠药)?(?:才|就)?(?:会|能)(?:死|致命)|(?:割|划)得?(?:更深|深一点|竖着)/g,
  },
];

const CHINESE: Reading = {
  rules: chinese,
  hint: new RegExp(
    `症|障碍|抑郁|焦虑|双相|精神|ptsd|adhd|人格|阿斯伯格|痴呆|病|诊|片|粒|颗|克|mg|ml|药|剂|用量|${DRUG_ZH}|保证|担保|打包票|发誓|一定|肯定|绝对|百分之百|100%|必然|铁定|彻底|根治|包治|包好|再也不会|马上|很快|立刻|酒|醉|自杀|自残|死|结束生命|割|划|致命`,
  ),
  lead: 12,
  hedge:
    /不要|不能|不会|不该|不应|不用|不必|不建议|不一定|不是|没有|没法|别|无法|未|勿|是否|如果|假如|要是|担心|害怕|怀疑|有没有|会不会|说|提到|告诉|问|有些人|很多人|有的人|人们|医生|之前/,
  asking: /(?:在|正在|有没有|是不是|是否)$/,
  defer: /(?:和|跟|问|咨询|请教|听|遵)(?:一下)?(?:你的)?(?:主治)?(?:医生|大夫|精神科)|遵医嘱|医生的(?:建议|意见|指导)|之前|以前/,
};

/** Sentences: split after an end mark (a period only before a space or the end, so "2.5mg" and "e.g." stay whole). */
const SENTENCE = /(?:[^.!?。！？\n]|\.(?=\S))+(?:[.!?。！？]+|\n|$)/g;
/** Clause boundaries. */
const CLAUSE_BREAK = /[,;:，；：、—–]/g;
const QUESTION = /(?:[?？]|吗|呢)["”'’)）\s]*$/;
const HAN = /[\u4e00-\u9fa5]/;

/** "why not…", "why don't you…", 要不要…: they suggest rather than negate. */
const SUGGESTION = /\bwhy (?:don't|not)\b|要不要|要不/g;

/** A clause boundary. */
const CLAUSE_BREAK_ONE = /[,;:，；：、—–]/;

function leadIn(sentence: string, index: number, max: number): string {
  const before = sentence.slice(Math.max(0, index - max), index);
  let start = 0;
  for (const m of before.matchAll(CLAUSE_BREAK)) start = m.index + 1;
  return before.slice(start);
}

function restOfClause(sentence: string, end: number): string {
  const rest = sentence.slice(end, end + 60);
  const stop = rest.search(CLAUSE_BREAK_ONE);
  return stop === -1 ? rest : rest.slice(0, stop);
}

/** Whether one of the rule's matches in the sentence is asserted (not negated, hedged, asked or deferred). */
function asserted(rule: Rule, reading: Reading, sentence: string): boolean {
  if (rule.statementOnly && QUESTION.test(sentence)) return false;
  const pattern = rule.pattern;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(sentence); m !== null; m = pattern.exec(sentence)) {
    const lead = leadIn(sentence, m.index, reading.lead);
    if (rule.negatable !== false && reading.hedge.test(lead.replace(SUGGESTION, ""))) continue;
    if (reading.asking.test(lead)) continue;
    if (rule.deferable && reading.defer.test(restOfClause(sentence, m.index + m[0].length))) continue;
    return true;
  }
  return false;
}

/** Whether a line the AI is about to show crosses a safety boundary, and which ones. */
export function checkOutput(text: string): OutputCheck {
  const found = new Set<GuardKind>();
  const normal = text.toLowerCase().replace(/[‘’`]/g, "'");
  let sentences: string[] | undefined;
  // A Chinese line may quote English (and the other way round): English rules run on every line.
  for (const reading of HAN.test(normal) ? [CHINESE, ENGLISH] : [ENGLISH]) {
    if (!reading.hint.test(normal)) continue;
    for (const rule of reading.rules) {
      if (found.has(rule.kind)) continue;
      // Most lines match no rule anywhere: one test over the whole line each, and no sentence is cut out.
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(normal)) continue;
      sentences ??= Array.from(normal.matchAll(SENTENCE), (m) => m[0]);
      if (sentences.some((sentence) => asserted(rule, reading, sentence))) found.add(rule.kind);
    }
  }
  const kinds = guardKinds.filter((k) => found.has(k));
  return { flagged: kinds.length > 0, kinds };
}
