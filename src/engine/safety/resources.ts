/**
 * Crisis resources: the lines a person in danger is pointed to. They come
 * from configuration (a deployment's CRISIS_RESOURCES, later a project's own
 * table), never from model text, with these documented defaults per locale.
 * No police or general emergency number is offered as a crisis line: an
 * emergency number is its own entry kind, shown beside the lines, never
 * instead of them.
 */
import { z } from "zod";

export const crisisResourceSchema = z.object({
  /** Shown as is, in the locale's language. */
  name: z.string().min(1).max(120),
  kind: z.enum(["crisis_line", "emergency"]).default("crisis_line"),
  phone: z.string().min(1).max(40).optional(),
  /** How to reach it by text message, e.g. "Text 988" or "Text HOME to 741741". */
  text: z.string().min(1).max(80).optional(),
  chat: z.url().optional(),
  hours: z.string().min(1).max(60).optional(),
});

/** Locale (BCP 47, e.g. "en-US", "zh-CN") → its resources, in the order they are offered. */
export const crisisResourceTableSchema = z.record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/), z.array(crisisResourceSchema).min(1));

export type CrisisResource = z.infer<typeof crisisResourceSchema>;
export type CrisisResourceTable = z.infer<typeof crisisResourceTableSchema>;

// The defaults and the lookup live in a module without zod, so the web client can bundle them as its offline fallback.
export { crisisResourcesFor, defaultCrisisResources, describeCrisisResource } from "./crisis-lines";
