/** The counselors' queue as the API and the live feed show it: ids, levels and times, never what anyone said. */
import { z } from "@hono/zod-openapi";
import { riskLevels } from "../engine/runtime/events";

export const queueStatuses = ["waiting", "held", "timed_out"] as const;
export const handoffReasons = ["risk", "client", "script"] as const;

export const QueueEntrySchema = z
  .object({
    sessionId: z.string(),
    projectId: z.string().nullable(),
    scriptId: z.string(),
    language: z.string().openapi({ description: "The script's language (en, zh-CN)" }),
    riskLevel: z.enum(riskLevels),
    reason: z
      .enum(handoffReasons)
      .openapi({ description: "risk: the session reached high or imminent; client: the client asked; script: a `handoff` action" }),
    status: z
      .enum(queueStatuses)
      .openapi({ description: "timed_out: nobody took it in HANDOFF_TIMEOUT_S; the AI carried on and it can still be taken" }),
    queuedAt: z.iso.datetime(),
    waitingSeconds: z.number().int().min(0),
    position: z.object({ phaseId: z.string().nullable(), topicId: z.string().nullable(), actionId: z.string().nullable() }),
    counselorName: z.string().nullable().openapi({ description: "Who holds the session (status held)" }),
  })
  .openapi("QueueEntry");
export type QueueEntry = z.infer<typeof QueueEntrySchema>;

export const QueueSchema = z.object({ items: z.array(QueueEntrySchema) }).openapi("CounselorQueue");

/** What a session tells the queue about itself: its entry with times in ms. */
export type QueueItem = Omit<QueueEntry, "queuedAt" | "waitingSeconds"> & { queuedAt: number };

/** A webhook the queue sends when a session is queued (content-free). */
export interface Alert {
  eventId: string;
  payload: Record<string, string | null>;
}

/** Feed frames (WebSocket, server → console): the whole queue after every change. */
export type FeedFrame = { type: "queue"; items: QueueEntry[] };
