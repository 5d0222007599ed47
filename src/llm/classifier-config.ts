/**
 * SAFETY_CLASSIFIER: the classifier models that grade the client's words beside the local detector
 * (src/llm/classifier.ts). JSON, one entry or a list; each entry is asked, the highest grade wins.
 * Only zod here: src/config.ts imports this, and nothing it imports may import the config back.
 */
import { z } from "zod";

const timeoutMs = z.number().int().positive().max(30_000).default(3000);

export const classifierEntrySchema = z.discriminatedUnion("kind", [
  z.object({
    /** An OpenAI-compatible moderation endpoint (`POST …/v1/moderations`), with SAFETY_CLASSIFIER_API_KEY as its bearer token. */
    kind: z.literal("moderation"),
    url: z.url(),
    model: z.string().min(1).optional(),
    timeoutMs,
  }),
  z.object({
    /** Llama Guard on Workers AI, through the `AI` binding. */
    kind: z.literal("llama-guard"),
    model: z.string().min(1).default("@cf/meta/llama-guard-3-8b"),
    timeoutMs,
  }),
]);

export type ClassifierEntry = z.infer<typeof classifierEntrySchema>;

export const classifierConfigSchema = z.union([classifierEntrySchema.transform((e) => [e]), z.array(classifierEntrySchema).min(1)]);
