/**
 * A project's plan for its new sessions (D1 `project_plans`): how long they
 * are kept, where their Durable Object lives, and a canary split between the
 * published version and another one. Read from D1 (not the KV cache) when a
 * session starts: a residency setting must not be served stale.
 */
import { and, count, eq, gte, isNotNull } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import type { Database } from "../store/db";
import { projectPlans, projectVersions, sessions, type Jurisdiction, type LocationHint } from "../store/schema";
import { atomically } from "./batch";
import { auditEntry } from "./audit";
import { notFound, projectFor } from "./access";
import { VersionNumberSchema } from "./semver";

/** What a new session of the project gets besides its script. */
export interface DataPolicy {
  retentionDays: number | null;
  jurisdiction: Jurisdiction | null;
  locationHint: LocationHint | null;
}

export const NO_POLICY: DataPolicy = { retentionDays: null, jurisdiction: null, locationHint: null };

export interface Split {
  versionId: string;
  versionNumber: string;
  /** The published version the split was set against: it applies only while that is still the published one. */
  baseVersionId: string;
  percent: number;
  since: Date;
}

export interface Plan {
  policy: DataPolicy;
  split: Split | null;
}

const canary = alias(projectVersions, "canary");

export async function readPlan(db: Database, projectId: string): Promise<Plan> {
  const row = await db
    .select({ plan: projectPlans, canaryNumber: canary.versionNumber })
    .from(projectPlans)
    .leftJoin(canary, eq(canary.id, projectPlans.splitVersionId))
    .where(eq(projectPlans.projectId, projectId))
    .get();
  if (!row) return { policy: NO_POLICY, split: null };
  const { plan: p, canaryNumber } = row;
  const split =
    p.splitVersionId && p.splitBaseVersionId && p.splitPercent && p.splitSince && canaryNumber
      ? {
          versionId: p.splitVersionId,
          versionNumber: canaryNumber,
          baseVersionId: p.splitBaseVersionId,
          percent: p.splitPercent,
          since: p.splitSince,
        }
      : null;
  return { policy: { retentionDays: p.retentionDays, jurisdiction: p.jurisdiction, locationHint: p.locationHint }, split };
}

/**
 * Whether this user's sessions of the project go to the canary: a bucket
 * 0–9999 from SHA-256 of project and user id, so a user always lands on the
 * same side (sticky) and projects split their users independently.
 */
export async function inCanary(projectId: string, userId: string, percent: number): Promise<boolean> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${projectId}\n${userId}`)));
  const bucket = new DataView(digest.buffer).getUint32(0) % 10_000;
  return bucket < percent * 100;
}

function upsertPlan(db: Database, projectId: string, values: Partial<typeof projectPlans.$inferInsert>, at: Date) {
  return db
    .insert(projectPlans)
    .values({ projectId, ...values, updatedAt: at })
    .onConflictDoUpdate({ target: projectPlans.projectId, set: { ...values, updatedAt: at } });
}

/** Retention and placement for the project's new sessions (running sessions keep theirs); audited. */
export async function setDataPolicy(db: Database, projectId: string, actor: AuthUser, policy: DataPolicy): Promise<Plan> {
  await projectFor(db, projectId, actor);
  const at = new Date();
  await atomically(db, [upsertPlan(db, projectId, policy, at), auditEntry(db, actor, "project.data_policy", projectId, null, { ...policy }, at)]);
  return readPlan(db, projectId);
}

/** Sends `percent` of the project's users to another version of it, against the version published now; audited. */
export async function setSplit(db: Database, projectId: string, actor: AuthUser, req: { versionNumber: string; percent: number }): Promise<Plan> {
  const project = await projectFor(db, projectId, actor);
  if (!project.currentVersionId || project.status !== "published") {
    throw new DomainError("CONFLICT", "Only a published project can split its sessions between two versions.");
  }
  const number = VersionNumberSchema.parse(req.versionNumber);
  const version = await db
    .select({ id: projectVersions.id })
    .from(projectVersions)
    .where(and(eq(projectVersions.projectId, projectId), eq(projectVersions.versionNumber, number)))
    .get();
  if (!version) throw notFound("version");
  if (version.id === project.currentVersionId) throw new DomainError("CONFLICT", "That version is the published one; split against another.");
  const at = new Date();
  const split = { splitVersionId: version.id, splitBaseVersionId: project.currentVersionId, splitPercent: req.percent, splitSince: at };
  await atomically(db, [
    upsertPlan(db, projectId, split, at),
    auditEntry(db, actor, "version.split", projectId, version.id, { versionNumber: number, percent: req.percent }, at),
  ]);
  return readPlan(db, projectId);
}

export async function clearSplit(db: Database, projectId: string, actor: AuthUser): Promise<Plan> {
  await projectFor(db, projectId, actor);
  const at = new Date();
  const none = { splitVersionId: null, splitBaseVersionId: null, splitPercent: null, splitSince: null };
  await atomically(db, [upsertPlan(db, projectId, none, at), auditEntry(db, actor, "version.split_clear", projectId, null, {}, at)]);
  return readPlan(db, projectId);
}

/** The project's sessions started since the split was set, by version: how the canary is doing. */
export async function sessionsByVersion(db: Database, projectId: string, since: Date) {
  const rows = await db
    .select({ versionNumber: sessions.versionNumber, sessions: count() })
    .from(sessions)
    .where(and(eq(sessions.projectId, projectId), gte(sessions.createdAt, since), isNotNull(sessions.versionNumber)))
    .groupBy(sessions.versionNumber);
  return rows.map((r) => ({ versionNumber: r.versionNumber!, sessions: r.sessions }));
}
