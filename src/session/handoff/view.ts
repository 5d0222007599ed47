/** What clients and consoles are shown of a handoff: its status and the counselor's display name, never their account. */
import { z } from "zod";
import type { HandoffReason, HandoffRecord, HandoffStatus } from "./record";

/** The name a counselor is shown to the client by ("A counselor, <name>, has joined"). */
export const CounselorNameSchema = z.string().trim().min(1).max(60);

export interface HandoffView {
  status: HandoffStatus | "none";
  reason: HandoffReason | null;
  counselorName: string | null;
}

export function handoffView(r: HandoffRecord | null): HandoffView {
  if (!r) return { status: "none", reason: null, counselorName: null };
  return { status: r.status, reason: r.reason, counselorName: r.holder?.name ?? null };
}
