/**
 * What a new session runs. The session actor calls this once, at creation,
 * and pins the result (content hash, version, YAML, globals, templates):
 * later edits, publishes and rollbacks never reach a running session.
 */
import { and, eq, inArray } from "drizzle-orm";
import pkg from "../../package.json";
import type { Env } from "../config";
import type { TemplateName, VariableMap } from "../engine";
import { load, scriptJsonSchema, type SessionScript, type TechniqueScript, type TechniqueSource } from "../engine/script";
import type { Language } from "../engine/script/schema";
import { COMPILED_FORMAT } from "../engine/script/compiled-format";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import { database, type Database } from "../store/db";
import { blobs, projectFiles, projects, projectVersions, versionFiles, type FileKind } from "../store/schema";
import { canManage, notFound, projectFor } from "./access";
import { SCRIPT_TTL_SECONDS, readPointer, scriptKey } from "./cache";
import { checkCrisis, hasErrors } from "./checks";
import { parseGlobals } from "./globals";
import { inCanary, readPlan, type DataPolicy, type Plan } from "./plan";
import { contentHash } from "../store/hash";
import type { Diagnostic } from "./models";
import { DEFAULT_SCHEME, GLOBALS_PATH, classifyPath, crisisPath } from "./paths";
import { VersionNumberSchema } from "./semver";
import { checkTemplate, isTemplateName } from "./templates";
import { log } from "../log";

export interface SessionSourceRequest {
  projectId: string;
  /** A session script's path (`sessions/intake_en.yaml`) or its `session_id`; optional when there is only one. */
  script?: string | undefined;
  /** Default: the published version. A version number (`1.0.0`/`v1.0.0`) or `"draft"`: owner authors and admins only. */
  version?: string | undefined;
  user: AuthUser;
}

export interface SessionSource {
  projectId: string;
  /** Null when the session runs the draft (workspace). */
  versionId: string | null;
  versionNumber: string | null;
  path: string;
  yaml: string;
  contentHash: string;
  script: SessionScript;
  /** The project's globals file: pass to the engine's `start(script, { globals })`. */
  globals: VariableMap;
  /** The scheme the script names (`session.template_scheme`); null for the built-in templates. */
  templateScheme: string | null;
  /** The scheme's overrides by engine template name; names it lacks use the bundled templates. */
  templates: Partial<Record<TemplateName, string>>;
  /** The project's crisis protocol for the script's language (crisis/<language>.yaml); null: the built-in one runs. */
  crisis: string | null;
  /** The version's technique files, when the script runs one (use_skill): pinned with it, so a rebuild compiles the same script. */
  techniques: TechniqueFile[];
  /** The project's retention and placement for new sessions. */
  policy: DataPolicy;
}

/**
 * The tag a compiled script is stored with: the key (`script:<contentHash>`)
 * names the text, the tag the compiler. It hashes COMPILED_FORMAT (bumped by
 * hand when the loader or normaliser changes what they make of the same
 * text), the script JSON Schema (which changes with the schema, no bump
 * needed) and the release, so an entry another loader wrote is recompiled
 * rather than served for the rest of its 30 days.
 */
export function loaderTagFor(format: number, schema: unknown, release: string): Promise<string> {
  return contentHash(JSON.stringify({ format, schema, release }));
}

let loaderTag: Promise<string> | undefined;
/** This build's loader tag (computed once per isolate). */
export function currentLoaderTag(): Promise<string> {
  return (loaderTag ??= loaderTagFor(COMPILED_FORMAT, scriptJsonSchema(), pkg.version));
}

/** A technique script's text as a session pins it. */
export interface TechniqueFile {
  path: string;
  contentHash: string;
  text: string;
}

interface SourceFile {
  path: string;
  kind: FileKind;
  contentHash: string;
  sessionId: string | null;
}

interface Snapshot {
  versionId: string | null;
  versionNumber: string | null;
  files: SourceFile[];
  contents: (hashes: string[]) => Promise<Map<string, string>>;
}

function unavailable(status: string): DomainError {
  return new DomainError("PROJECT_UNAVAILABLE", `The project is ${status}; it starts no new sessions.`, { projectStatus: status });
}

function invalid(path: string, diagnostics: Diagnostic[]): DomainError {
  return new DomainError("SCRIPT_INVALID", `${path} has errors; fix them before starting a session.`, {
    files: [{ path, diagnostics: diagnostics.filter((d) => d.severity === "error") }],
  });
}

async function blobMap(db: Database, hashes: string[]): Promise<Map<string, string>> {
  if (!hashes.length) return new Map();
  const rows = await db.select({ hash: blobs.hash, content: blobs.content }).from(blobs).where(inArray(blobs.hash, hashes));
  return new Map(rows.map((r) => [r.hash, r.content]));
}

async function versionSnapshot(db: Database, versionId: string, versionNumber: string): Promise<Snapshot> {
  const files = await db
    .select({ path: versionFiles.path, kind: versionFiles.kind, contentHash: versionFiles.contentHash, sessionId: versionFiles.sessionId })
    .from(versionFiles)
    .where(eq(versionFiles.versionId, versionId));
  return { versionId, versionNumber, files, contents: (hashes) => blobMap(db, hashes) };
}

async function draftSnapshot(db: Database, projectId: string): Promise<Snapshot> {
  const rows = await db.select().from(projectFiles).where(eq(projectFiles.projectId, projectId));
  const byHash = new Map(rows.map((r) => [r.contentHash, r.content]));
  return {
    versionId: null,
    versionNumber: null,
    files: rows,
    contents: async (hashes) => new Map(hashes.map((h) => [h, byHash.get(h) ?? ""])),
  };
}

/**
 * Which version (or the draft) the request names, after the role and status checks. Without one: the
 * published version, or the canary of a split for the users its hash puts there (plan.ts).
 */
async function snapshotFor(env: Env, db: Database, req: SessionSourceRequest, plan: Promise<Plan>): Promise<Snapshot> {
  if (req.version === undefined) {
    const [pointer, { split }] = await Promise.all([readPointer(env, db, req.projectId), plan]);
    if (!pointer) throw notFound("project");
    if (pointer.versionId === null) {
      if (pointer.reason === "unpublished") throw new DomainError("NOT_FOUND", "The project has no published version yet.");
      throw unavailable(pointer.reason);
    }
    if (split?.baseVersionId === pointer.versionId && (await inCanary(req.projectId, req.user.id, split.percent))) {
      return versionSnapshot(db, split.versionId, split.versionNumber);
    }
    return versionSnapshot(db, pointer.versionId, pointer.versionNumber);
  }

  const project = await db.select().from(projects).where(eq(projects.id, req.projectId)).get();
  if (!project) throw notFound("project");
  if (req.version === "draft") {
    await projectFor(db, req.projectId, req.user); // the draft is its authors' business: 404 for anyone else
    if (project.status === "archived" || project.status === "deprecated") throw unavailable(project.status);
    return draftSnapshot(db, req.projectId);
  }
  if (project.status === "archived" || project.status === "deprecated") throw unavailable(project.status);
  const number = VersionNumberSchema.safeParse(req.version);
  if (!number.success) {
    throw new DomainError("VALIDATION_FAILED", "`version` is a version number such as 1.0.0, or `draft`.", {
      errors: [{ path: "version", message: number.error.issues[0]?.message ?? "not a version number" }],
    });
  }
  const version = await db
    .select({ id: projectVersions.id, versionNumber: projectVersions.versionNumber })
    .from(projectVersions)
    .where(and(eq(projectVersions.projectId, req.projectId), eq(projectVersions.versionNumber, number.data)))
    .get();
  if (!version) throw notFound("version");
  if (version.id !== project.currentVersionId && !canManage(project, req.user)) {
    throw new DomainError("FORBIDDEN", "Only the project's authors can start a version other than the published one.");
  }
  return versionSnapshot(db, version.id, version.versionNumber);
}

function pickScript(files: SourceFile[], wanted: string | undefined): SourceFile {
  // A crisis protocol is a session script too, but only the sessions of its language run it, when a client is at risk.
  const sessions = files
    .filter((f) => f.kind === "session" && classifyPath(f.path)?.category !== "crisis")
    .sort((a, b) => a.path.localeCompare(b.path));
  const available = sessions.map((f) => ({ path: f.path, sessionId: f.sessionId }));
  if (wanted === undefined) {
    if (sessions.length === 1) return sessions[0]!;
    throw new DomainError("SCRIPT_REQUIRED", "This version has several session scripts; name one in `script` (path or session id).", { available });
  }
  const found = sessions.find((f) => f.path === wanted) ?? sessions.find((f) => f.sessionId === wanted);
  if (!found) throw new DomainError("NOT_FOUND", `No session script "${wanted}" in this version.`, { available });
  return found;
}

/** The techniques a script may run, loaded (a technique with errors is left out: the script's use_skill of it is then reported). */
function loadTechniqueFiles(files: readonly TechniqueFile[]): TechniqueSource[] {
  return files.flatMap((f) => {
    const loaded = load(f.text);
    return loaded.kind === "technique" && loaded.script ? [{ path: f.path, script: loaded.script as TechniqueScript }] : [];
  });
}

/**
 * The loaded script for this content (and these technique files), from KV when another request already compiled
 * it. Also used for sessions' inline scripts and for rebuilds from D1.
 */
export async function compileScript(
  env: Pick<Env, "CACHE">,
  file: Pick<SourceFile, "path" | "contentHash">,
  yaml: string,
  techniques: readonly TechniqueFile[] = [],
): Promise<SessionScript> {
  // The compiled script carries the techniques it runs, so their texts are part of what it was compiled from.
  const key = scriptKey(
    techniques.length ? await contentHash(JSON.stringify([file.contentHash, ...techniques.map((t) => [t.path, t.contentHash])])) : file.contentHash,
  );
  const tag = await currentLoaderTag();
  let cached: { loader: string; script: SessionScript } | null = null;
  try {
    cached = await env.CACHE.get<{ loader: string; script: SessionScript }>(key, "json");
  } catch (err) {
    // The cache is an optimisation: compiling again is always correct.
    log({ level: "warn", msg: "compiled script unreadable", error: err instanceof Error ? err.name : "unknown" });
  }
  if (cached?.loader === tag) return cached.script;
  const result = load(yaml, { techniques: loadTechniqueFiles(techniques) });
  if (!result.script || !("session" in result.script) || hasErrors(result.diagnostics)) throw invalid(file.path, result.diagnostics);
  try {
    await env.CACHE.put(key, JSON.stringify({ loader: tag, script: result.script }), { expirationTtl: SCRIPT_TTL_SECONDS });
  } catch (err) {
    log({ level: "warn", msg: "compiled script not cached", error: err instanceof Error ? err.name : "unknown" });
  }
  return result.script;
}

/**
 * Resolves what a new session runs.
 * - No `version`: the project's published version (via the KV pointer), for any signed-in user.
 * - A version number: that version; other than the current one only for the owner author or an admin.
 * - `"draft"`: the workspace, only for the owner author or an admin; the script, globals and
 *   templates it uses must have no errors.
 * Archived and deprecated projects start nothing (409 PROJECT_UNAVAILABLE).
 */
export async function resolveSessionSource(env: Env, req: SessionSourceRequest): Promise<SessionSource> {
  const db = database(env.DB);
  const plan = readPlan(db, req.projectId);
  const snapshot = await snapshotFor(env, db, req, plan);
  const file = pickScript(snapshot.files, req.script);
  const globalsFile = snapshot.files.find((f) => f.path === GLOBALS_PATH);
  const first = await snapshot.contents([file.contentHash, ...(globalsFile ? [globalsFile.contentHash] : [])]);
  const yaml = first.get(file.contentHash) ?? "";
  const techniques = await techniqueFiles(snapshot, yaml);
  const script = await compileScript(env, file, yaml, techniques);
  const crisis = await crisisProtocol(snapshot, script.session.language ?? "zh-CN");

  let globals: VariableMap = {};
  if (globalsFile) {
    const parsed = parseGlobals(first.get(globalsFile.contentHash) ?? "");
    if (hasErrors(parsed.diagnostics)) throw invalid(GLOBALS_PATH, parsed.diagnostics);
    globals = parsed.variables;
  }

  const named = script.session.template_scheme;
  const templateScheme = named && named !== DEFAULT_SCHEME ? named : null;
  const templates: Partial<Record<TemplateName, string>> = {};
  if (templateScheme) {
    const schemeFiles = snapshot.files.flatMap((f) => {
      const where = classifyPath(f.path);
      return where?.category === "template" && where.scheme === templateScheme && isTemplateName(where.template)
        ? [{ ...f, template: where.template }]
        : [];
    });
    if (!schemeFiles.length) {
      throw new DomainError("SCRIPT_INVALID", `${file.path} uses the template scheme "${templateScheme}", which this version does not have.`);
    }
    const contents = await snapshot.contents(schemeFiles.map((f) => f.contentHash));
    for (const f of schemeFiles) {
      const text = contents.get(f.contentHash) ?? "";
      if (hasErrors(checkTemplate(f.template, text))) throw invalid(f.path, checkTemplate(f.template, text));
      templates[f.template] = text;
    }
  }

  return {
    projectId: req.projectId,
    versionId: snapshot.versionId,
    versionNumber: snapshot.versionNumber,
    path: file.path,
    yaml,
    contentHash: file.contentHash,
    script,
    globals,
    templateScheme,
    templates,
    crisis,
    techniques: script.techniques ? techniques : [],
    policy: (await plan).policy,
  };
}

/** The snapshot's technique files, read only for a script that has a use_skill (most have none). */
async function techniqueFiles(snapshot: Snapshot, yaml: string): Promise<TechniqueFile[]> {
  if (!/\buse_skill\b/.test(yaml)) return [];
  const files = snapshot.files.filter((f) => f.kind === "technique").sort((a, b) => a.path.localeCompare(b.path));
  const texts = await snapshot.contents(files.map((f) => f.contentHash));
  return files.map((f) => ({ path: f.path, contentHash: f.contentHash, text: texts.get(f.contentHash) ?? "" }));
}

/** The snapshot's crisis protocol for a language: checked again (a draft's may have errors), else refused like the script. */
async function crisisProtocol(snapshot: Snapshot, language: Language): Promise<string | null> {
  const path = crisisPath(language);
  const file = snapshot.files.find((f) => f.path === path);
  if (!file) return null;
  const text = (await snapshot.contents([file.contentHash])).get(file.contentHash) ?? "";
  const diagnostics = checkCrisis(text, language, "en");
  if (hasErrors(diagnostics)) throw invalid(path, diagnostics);
  return text;
}
