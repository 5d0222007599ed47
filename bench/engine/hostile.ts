/**
 * Inputs that once made the loader slow (shared by the loader tests and the
 * engine bench), and an ordinary script of any size to compare them with.
 */

/** `levels` merge keys, each repeating the one before twice: 2^levels values if expanded. */
export function mergeBomb(levels: number): string {
  const lines = ["m0: &m0 {a: 1}"];
  for (let i = 1; i <= levels; i++) lines.push(`m${i}: &m${i}\n  <<: [*m${i - 1}, *m${i - 1}]`);
  return `${lines.join("\n")}\n`;
}

/** About `bytes` of one-line maps, each merging the first: many anchors, aliases and top-level keys. */
export function mergeChain(bytes: number): string {
  const lines = ["m0: &m0 {a: 1, b: 2}"];
  let size = lines[0]!.length;
  for (let i = 1; size < bytes; i++) {
    const line = `m${i}: &m${i} {<<: *m0, k: ${i}}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

/** About `bytes` of maps each merging the one before: nests one level per line. */
export function nestedMergeChain(bytes: number): string {
  const lines = ["m0: &m0 {a: 1}"];
  let size = lines[0]!.length;
  for (let i = 1; size < bytes; i++) {
    const line = `m${i}: &m${i} {<<: *m${i - 1}, k: ${i}}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

/** A valid session script of about `bytes`: one topic of many ai_say actions. */
export function ordinaryScript(bytes: number): string {
  const head = "session:\n  session_id: ordinary\n  phases:\n    - phase_id: p1\n      topics:\n        - topic_id: t1\n          actions:\n";
  const actions: string[] = [];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const action = `            - action_type: ai_say\n              action_id: say_${i}\n              config:\n                content: Tell the client, warmly, about step ${i} of the plan.\n`;
    actions.push(action);
    size += action.length;
  }
  return head + actions.join("");
}
