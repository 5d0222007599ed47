/**
 * Template schemes: named sets of prompt-template overrides. A scheme is the
 * set of files under templates/<scheme>/ (so it is versioned with them); its
 * description is project metadata. `default` is the engine's bundled set,
 * read-only, in the script's language.
 */
import { and, eq, sql } from "drizzle-orm";
import { parse as parseYaml } from "yaml";
import { bundledTemplate, templateNames } from "../engine";
import type { Language } from "../engine/script/schema";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import type { Database } from "../store/db";
import { projectFiles, projects } from "../store/schema";
import { editableProjectFor, notFound, projectFor, type ProjectRow } from "./access";
import { auditEntry } from "./audit";
import { atomically } from "./batch";
import { checkFile, contextOf } from "./checks";
import { createFile, updateFile } from "./files";
import { fileLimit, MAX_FILES_PER_PROJECT } from "./limits";
import type { DiagnosticLang } from "./globals";
import type { Diagnostic, Scheme, Template } from "./models";
import { DEFAULT_SCHEME, TEMPLATES_DIR, classifyPath, templatePath } from "./paths";
import { insertFiles } from "./workspace";
import { isTemplateName } from "./templates";

const prefix = (scheme: string) => `${TEMPLATES_DIR}/${scheme}/`;
// substr, not LIKE: `_` and `-` in scheme names must match literally.
const underScheme = (scheme: string) => sql`substr(${projectFiles.path}, 1, ${prefix(scheme).length}) = ${prefix(scheme)}`;

const defaultScheme = (): Scheme => ({
  name: DEFAULT_SCHEME,
  description: "The engine's built-in templates (read-only).",
  isDefault: true,
  isReadonly: true,
  templates: [...templateNames],
});

async function templateFiles(db: Database, projectId: string) {
  const rows = await db
    .select({ id: projectFiles.id, path: projectFiles.path, content: projectFiles.content })
    .from(projectFiles)
    .where(and(eq(projectFiles.projectId, projectId), eq(projectFiles.kind, "template")));
  return rows.flatMap((r) => {
    const where = classifyPath(r.path);
    return where?.category === "template" ? [{ ...r, scheme: where.scheme, template: where.template }] : [];
  });
}

function schemesOf(project: ProjectRow, files: Awaited<ReturnType<typeof templateFiles>>): Scheme[] {
  const byScheme = new Map<string, string[]>();
  for (const f of files) byScheme.set(f.scheme, [...(byScheme.get(f.scheme) ?? []), f.template]);
  return [
    defaultScheme(),
    ...[...byScheme.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, templates]) => ({
        name,
        description: project.schemeDescriptions[name] ?? "",
        isDefault: false,
        isReadonly: false,
        templates: templates.sort(),
      })),
  ];
}

export async function listSchemes(db: Database, projectId: string, actor: AuthUser): Promise<Scheme[]> {
  const project = await projectFor(db, projectId, actor);
  return schemesOf(project, await templateFiles(db, projectId));
}

export async function getScheme(db: Database, projectId: string, name: string, actor: AuthUser): Promise<Scheme> {
  const scheme = (await listSchemes(db, projectId, actor)).find((s) => s.name === name);
  if (!scheme) throw notFound("template scheme");
  return scheme;
}

function readOnly(): DomainError {
  return new DomainError("SCHEME_READ_ONLY", `The ${DEFAULT_SCHEME} scheme is built into the engine; copy it into a new scheme to change it.`);
}

/** Workspace scripts whose `session.template_scheme` names this scheme. */
async function scriptsUsing(db: Database, projectId: string, scheme: string): Promise<string[]> {
  const scripts = await db
    .select({ path: projectFiles.path, content: projectFiles.content })
    .from(projectFiles)
    .where(and(eq(projectFiles.projectId, projectId), eq(projectFiles.kind, "session")));
  return scripts
    .filter((s) => {
      try {
        return (parseYaml(s.content) as { session?: { template_scheme?: unknown } } | null)?.session?.template_scheme === scheme;
      } catch {
        return false;
      }
    })
    .map((s) => s.path);
}

async function assertUnused(db: Database, projectId: string, scheme: string, action: string) {
  const users = await scriptsUsing(db, projectId, scheme);
  if (users.length) {
    throw new DomainError(
      "SCHEME_IN_USE",
      `Scripts use the scheme "${scheme}"; change their template_scheme before you ${action} it: ${users.join(", ")}.`,
      {
        scripts: users,
      },
    );
  }
}

/**
 * A new scheme holding a copy of every template of `copyFrom`: the bundled
 * defaults in `language` (default: the project's), or another scheme's files.
 */
export async function createScheme(
  db: Database,
  projectId: string,
  actor: AuthUser,
  input: { name: string; description: string; copyFrom: string; language?: Language | undefined },
  lang: DiagnosticLang,
): Promise<Scheme> {
  const project = await editableProjectFor(db, projectId, actor);
  if (input.name === DEFAULT_SCHEME) throw readOnly();
  const files = await templateFiles(db, projectId);
  if (files.some((f) => f.scheme === input.name)) {
    throw new DomainError("SCHEME_EXISTS", `The project already has a template scheme "${input.name}".`);
  }
  const sources =
    input.copyFrom === DEFAULT_SCHEME
      ? templateNames.map((template) => ({ template, content: bundledTemplate(template, input.language ?? (project.language as Language)) }))
      : files.filter((f) => f.scheme === input.copyFrom);
  if (!sources.length) throw new DomainError("NOT_FOUND", `No template scheme "${input.copyFrom}" to copy from.`);
  const [{ n } = { n: 0 }] = await db.select({ n: sql<number>`count(*)` }).from(projectFiles).where(eq(projectFiles.projectId, projectId));
  if (n + sources.length > MAX_FILES_PER_PROJECT) throw fileLimit();
  const copies = sources.map((s) => ({ path: templatePath(input.name, s.template), content: s.content }));
  const ctx = contextOf(copies);
  const checked = await Promise.all(copies.map((f) => checkFile(f.path, f.content, ctx, lang)));
  const now = new Date();
  await atomically(db, [
    ...insertFiles(db, projectId, checked, actor, now),
    db
      .update(projects)
      .set({ schemeDescriptions: sql`json_set(${projects.schemeDescriptions}, ${`$."${input.name}"`}, ${input.description})`, updatedAt: now })
      .where(eq(projects.id, projectId)),
    auditEntry(db, actor, "scheme.create", projectId, input.name, { copyFrom: input.copyFrom, templates: copies.length }, now),
  ]);
  return getScheme(db, projectId, input.name, actor);
}

/** Renames (moving its files) and/or re-describes a scheme. A scheme scripts use cannot be renamed under them. */
export async function updateScheme(
  db: Database,
  projectId: string,
  name: string,
  actor: AuthUser,
  input: { name?: string | undefined; description?: string | undefined },
): Promise<Scheme> {
  await editableProjectFor(db, projectId, actor);
  if (name === DEFAULT_SCHEME || input.name === DEFAULT_SCHEME) throw readOnly();
  const files = await templateFiles(db, projectId);
  if (!files.some((f) => f.scheme === name)) throw notFound("template scheme");
  const target = input.name ?? name;
  if (target !== name) {
    if (files.some((f) => f.scheme === target)) {
      throw new DomainError("SCHEME_EXISTS", `The project already has a template scheme "${target}".`);
    }
    await assertUnused(db, projectId, name, "rename");
  }
  const now = new Date();
  const from = `$."${name}"`;
  const to = `$."${target}"`;
  await atomically(db, [
    db
      .update(projectFiles)
      .set({ path: sql`${prefix(target)} || substr(${projectFiles.path}, ${prefix(name).length + 1})`, updatedBy: actor.id, updatedAt: now })
      .where(and(eq(projectFiles.projectId, projectId), underScheme(name))),
    db
      .update(projects)
      .set({
        schemeDescriptions:
          input.description !== undefined
            ? sql`json_set(json_remove(${projects.schemeDescriptions}, ${from}), ${to}, ${input.description})`
            : sql`json_set(json_remove(${projects.schemeDescriptions}, ${from}), ${to}, coalesce(json_extract(${projects.schemeDescriptions}, ${from}), ''))`,
        updatedAt: now,
      })
      .where(eq(projects.id, projectId)),
    auditEntry(db, actor, "scheme.rename", projectId, target, { from: name, to: target, described: input.description !== undefined }, now),
  ]);
  return getScheme(db, projectId, target, actor);
}

export async function deleteScheme(db: Database, projectId: string, name: string, actor: AuthUser): Promise<void> {
  await editableProjectFor(db, projectId, actor);
  if (name === DEFAULT_SCHEME) throw readOnly();
  const files = await templateFiles(db, projectId);
  if (!files.some((f) => f.scheme === name)) throw notFound("template scheme");
  await assertUnused(db, projectId, name, "delete");
  const now = new Date();
  await atomically(db, [
    db.delete(projectFiles).where(and(eq(projectFiles.projectId, projectId), underScheme(name))),
    db
      .update(projects)
      .set({ schemeDescriptions: sql`json_remove(${projects.schemeDescriptions}, ${`$."${name}"`})`, updatedAt: now })
      .where(eq(projects.id, projectId)),
    auditEntry(db, actor, "scheme.delete", projectId, name, { templates: files.filter((f) => f.scheme === name).length }, now),
  ]);
}

function unknownTemplate(name: string): DomainError {
  return new DomainError("NOT_FOUND", `No template "${name}"; the engine's templates are: ${templateNames.join(", ")}.`);
}

/**
 * The template a scheme gives sessions: the scheme's own file, or the
 * bundled default (in `language`, default the project's) where it has none.
 */
export async function getTemplate(
  db: Database,
  projectId: string,
  scheme: string,
  template: string,
  actor: AuthUser,
  language: Language | undefined,
): Promise<Template> {
  const project = await projectFor(db, projectId, actor);
  if (!isTemplateName(template)) throw unknownTemplate(template);
  const files = await templateFiles(db, projectId);
  if (scheme !== DEFAULT_SCHEME && !files.some((f) => f.scheme === scheme)) throw notFound("template scheme");
  const own = files.find((f) => f.scheme === scheme && f.template === template);
  return {
    schemeName: scheme,
    templateName: template,
    path: own?.path ?? null,
    content: own?.content ?? bundledTemplate(template, language ?? (project.language as Language)),
    isDefault: !own,
    isReadonly: scheme === DEFAULT_SCHEME,
  };
}

/** Writes a scheme's template (creating the file when the scheme had none for that name). */
export async function putTemplate(
  db: Database,
  projectId: string,
  scheme: string,
  template: string,
  actor: AuthUser,
  content: string,
  lang: DiagnosticLang,
): Promise<Template & { valid: boolean; diagnostics: Diagnostic[] }> {
  await editableProjectFor(db, projectId, actor);
  if (scheme === DEFAULT_SCHEME) throw readOnly();
  if (!isTemplateName(template)) throw unknownTemplate(template);
  const files = await templateFiles(db, projectId);
  if (!files.some((f) => f.scheme === scheme)) throw notFound("template scheme");
  const own = files.find((f) => f.scheme === scheme && f.template === template);
  const file = own
    ? await updateFile(db, projectId, own.id, actor, { content }, lang)
    : await createFile(db, projectId, actor, { path: templatePath(scheme, template), content }, lang);
  return {
    schemeName: scheme,
    templateName: template,
    path: file.path,
    content: file.content,
    isDefault: false,
    isReadonly: false,
    valid: file.valid,
    diagnostics: file.diagnostics,
  };
}
