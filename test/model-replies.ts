/**
 * The JSON a counseling model answers with, in the shape the bundled templates
 * ask for: one set of builders for every test that scripts a model's replies
 * (scripted AI SDK models, the fake OpenAI server, the Workers AI binding).
 */

/** What a model adds to a reply when it sees nothing wrong; the engine reads no safety flag from it. */
export const noRisk = { safety_risk: { detected: false }, metadata: { crisis_signal: false } };

/**
 * A say (or ask) round's reply that does not end the action; `fields` add outputs or replace any default,
 * safety included. `content` is whatever the model put there (tests of messy replies send other types).
 */
export function sayReply(content: unknown, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { EXIT: "false", content, BRIEF: "", ...noRisk, ...fields };
}

/** An ask round's reply: `EXIT` says whether the question is answered, `values` are the outputs it filled. */
export function askReply(content: string, EXIT: "true" | "false", values: Record<string, unknown> = {}): Record<string, unknown> {
  return sayReply(content, { EXIT, ...values });
}

/** `sayReply` as the text a model sends. */
export const sayReplyText = (content: unknown, fields: Record<string, unknown> = {}): string => JSON.stringify(sayReply(content, fields));
