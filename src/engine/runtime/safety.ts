/**
 * A cheap local scan of the client's words for crisis language, so hosts
 * can react (show crisis resources) even with the offline model or before
 * the model answers. It flags; it never blocks or rewrites anything.
 */

const CRISIS_EN =
  /\b(suicid\w*|kill(ing)? my ?self|end(ing)? (my|it) (life|all)|take my (own )?life|want(ed)? to die|wish i (was|were) dead|better off dead|no reason to live|self[- ]?harm\w*|hurt(ing)? my ?self|cut(ting)? my ?self|overdose)\b/i;
const CRISIS_ZH = /自杀|轻生|不想活|活不下去|想死|去死|寻死|结束(自己的)?生命|了结自己|自残|自伤|伤害自己|割腕|跳楼|跳河|上吊|吃安眠药/;

export function mentionsCrisis(text: string): boolean {
  return CRISIS_ZH.test(text) || CRISIS_EN.test(text);
}
