/**
 * What an actor puts on the mirror queue: one flush of one session, with the
 * token the consumer hands back once D1 holds it. During a gradual deployment
 * the consumer may run another release than the actor that sent the message,
 * so the shape is versioned (`v`) and a release reads every version it can meet.
 */
import { z } from "zod";
import type { MirrorBatch } from "../../store/sessions/mirror";

/**
 * Queues takes messages of up to 128 KB (1 KB = 1,000 bytes), ~100 bytes of its own metadata
 * included; a batch larger than this goes straight to D1. Measured as JSON, which is longer than
 * the structured clone the message travels as (a Date is 24 characters in JSON, 9 bytes cloned).
 */
export const QUEUE_MESSAGE_MAX_BYTES = 120_000;

const batchShape = z.custom<MirrorBatch>(
  (b) => typeof b === "object" && b !== null && "session" in b && "messages" in b && Array.isArray((b as MirrorBatch).messages),
  "not a mirror batch",
);

export const mirrorMessageSchema = z.object({
  v: z.literal(1),
  sessionId: z.string().min(1),
  /** Names this send among the actor's sends in flight; meaningless to anyone else. */
  token: z.string().min(1),
  batch: batchShape,
});

export type MirrorMessage = z.infer<typeof mirrorMessageSchema>;

/** What the actor needs of the queue binding: to send. */
export interface MirrorQueue {
  send(message: MirrorMessage, options: QueueSendOptions): Promise<unknown>;
}

/** The message's size as the limit counts it, over-estimated (see QUEUE_MESSAGE_MAX_BYTES). */
export function messageBytes(message: MirrorMessage): number {
  return new TextEncoder().encode(JSON.stringify(message)).byteLength;
}
