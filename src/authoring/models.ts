/**
 * The authoring resources as the API shows them: one zod schema per shape,
 * used by the repositories for their return types and by the routes for
 * validation and the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";
import { LanguageSchema } from "../engine/script/schema";
import { fileKinds, projectStatuses } from "../store/schema/projects";
import { SchemeNameSchema } from "./paths";

const Id = z.uuid();
const Timestamp = z.iso.datetime().openapi({ example: "2026-05-01T09:30:00.000Z" });

export const ProjectStatusSchema = z.enum(projectStatuses).openapi({
  description: "draft: never published; published: has a current version; archived and deprecated: read-only, no new sessions",
});
export const FileKindSchema = z.enum(fileKinds).openapi({
  description: "Derived from the path and content: session or technique scripts, the globals file, or a prompt template",
});

export const ProjectSchema = z
  .object({
    id: Id,
    projectName: z.string(),
    description: z.string(),
    status: ProjectStatusSchema,
    ownerId: z.string().openapi({ description: "The `sub` of the author who owns the project" }),
    language: LanguageSchema,
    tags: z.array(z.string()),
    currentVersionId: Id.nullable(),
    currentVersionNumber: z.string().nullable(),
    fileCount: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Project");
export type Project = z.infer<typeof ProjectSchema>;

export const FileSummarySchema = z
  .object({
    id: Id,
    projectId: Id,
    path: z.string(),
    fileName: z.string(),
    kind: FileKindSchema,
    size: z.number().int().openapi({ description: "Bytes of UTF-8 content" }),
    contentHash: z.string().openapi({ description: "Hex SHA-256 of the UTF-8 content" }),
    sessionId: z.string().nullable().openapi({ description: "`session.session_id` of a session script that loads" }),
    updatedBy: z.string(),
    updatedAt: Timestamp,
  })
  .openapi("FileSummary");
export type FileSummary = z.infer<typeof FileSummarySchema>;

export const ProjectFileSchema = FileSummarySchema.extend({ content: z.string(), createdAt: Timestamp }).openapi("ProjectFile");
export type ProjectFile = z.infer<typeof ProjectFileSchema>;

export const DiagnosticSchema = z
  .object({
    severity: z.enum(["error", "warning"]),
    code: z.string(),
    path: z.string().openapi({ description: "Where in the document, e.g. session.phases[0].topics[1]" }),
    line: z.number().int(),
    column: z.number().int(),
    message: z.string(),
    suggestion: z.string().optional(),
  })
  .openapi("Diagnostic");
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const ValidatedFileSchema = ProjectFileSchema.extend({
  valid: z.boolean().openapi({ description: "No diagnostic is an error. Invalid files are saved but block publishing." }),
  diagnostics: z.array(DiagnosticSchema),
}).openapi("ValidatedFile");
export type ValidatedFile = z.infer<typeof ValidatedFileSchema>;

export const statusActions = ["archive", "deprecate", "restore"] as const;
export const StatusChangeSchema = z
  .object({
    action: z.enum(statusActions),
    at: Timestamp,
    by: z.string(),
    reason: z.string(),
  })
  .openapi("StatusChange");

export const ProjectDetailSchema = ProjectSchema.extend({
  files: z.array(FileSummarySchema),
  statusHistory: z.array(StatusChangeSchema).openapi({ description: "Archive, deprecate and restore, oldest first" }),
}).openapi("ProjectDetail");
export type ProjectDetail = z.infer<typeof ProjectDetailSchema>;

export const VersionRefSchema = z.object({ id: Id, versionNumber: z.string() }).openapi("VersionRef");
export type VersionRef = z.infer<typeof VersionRefSchema>;

export const VersionSummarySchema = z
  .object({
    id: Id,
    projectId: Id,
    versionNumber: z.string(),
    releaseNote: z.string(),
    publishedBy: z.string(),
    publishedAt: Timestamp,
    isRollback: z.boolean(),
    rollbackFromVersionId: Id.nullable(),
    isCurrent: z.boolean(),
    fileCount: z.number().int(),
  })
  .openapi("VersionSummary");
export type VersionSummary = z.infer<typeof VersionSummarySchema>;

export const VersionFileSchema = z
  .object({
    path: z.string(),
    fileName: z.string(),
    kind: FileKindSchema,
    contentHash: z.string(),
    size: z.number().int(),
    content: z.string(),
  })
  .openapi("VersionFile");

export const VersionSchema = VersionSummarySchema.extend({ files: z.array(VersionFileSchema) }).openapi("Version");
export type Version = z.infer<typeof VersionSchema>;

export const fileChangeStatuses = ["added", "removed", "modified"] as const;

export const FileDiffSchema = z
  .object({
    path: z.string(),
    status: z.enum(fileChangeStatuses),
    kind: FileKindSchema,
    oldHash: z.string().nullable(),
    newHash: z.string().nullable(),
    additions: z.number().int(),
    deletions: z.number().int(),
    patch: z.string().openapi({ description: "Unified diff (3 lines of context) from the compareWith content to the version's" }),
  })
  .openapi("FileDiff");
export type FileDiff = z.infer<typeof FileDiffSchema>;

export const VersionDiffSchema = z
  .object({
    version: VersionRefSchema.openapi({ description: "The side the changes lead to (the version in the path)" }),
    compareWith: VersionRefSchema.openapi({ description: "The side the changes start from (default: the previous version number)" }),
    summary: z.object({
      added: z.number().int(),
      removed: z.number().int(),
      modified: z.number().int(),
      unchanged: z.number().int(),
    }),
    files: z.array(FileDiffSchema).openapi({ description: "Changed files by path; unchanged files are counted, not listed" }),
  })
  .openapi("VersionDiff");
export type VersionDiff = z.infer<typeof VersionDiffSchema>;

export const DraftStatusSchema = z
  .object({
    projectId: Id,
    currentVersion: VersionRefSchema.nullable(),
    hasUnpublishedChanges: z.boolean(),
    changes: z.array(z.object({ path: z.string(), status: z.enum(fileChangeStatuses) })).openapi({
      description: "Workspace files that differ from the current version",
    }),
    files: z.array(z.object({ path: z.string(), kind: FileKindSchema, errors: z.number().int(), warnings: z.number().int() })),
    errorCount: z.number().int(),
    warningCount: z.number().int(),
    publishable: z.boolean().openapi({ description: "Not read-only, has files and no file has errors" }),
    updatedAt: Timestamp,
  })
  .openapi("DraftStatus");
export type DraftStatus = z.infer<typeof DraftStatusSchema>;

export const FileProblemsSchema = z
  .array(z.object({ path: z.string(), diagnostics: z.array(DiagnosticSchema) }))
  .openapi({ description: "Files with errors and their diagnostics" });
export type FileProblems = z.infer<typeof FileProblemsSchema>;

export const SchemeSchema = z
  .object({
    name: SchemeNameSchema,
    description: z.string(),
    isDefault: z.boolean(),
    isReadonly: z.boolean(),
    templates: z.array(z.string()).openapi({ description: "Template names this scheme overrides (the default scheme: all)" }),
  })
  .openapi("TemplateScheme");
export type Scheme = z.infer<typeof SchemeSchema>;

export const TemplateSchema = z
  .object({
    schemeName: SchemeNameSchema,
    templateName: z.string(),
    path: z.string().nullable().openapi({ description: "Workspace path; null for the built-in default" }),
    content: z.string(),
    isDefault: z.boolean().openapi({ description: "The content is the engine's built-in template" }),
    isReadonly: z.boolean(),
  })
  .openapi("Template");
export type Template = z.infer<typeof TemplateSchema>;

export const PublishedScriptSchema = z
  .object({
    projectId: Id,
    projectName: z.string(),
    versionId: Id,
    versionNumber: z.string(),
    publishedAt: Timestamp,
    path: z.string(),
    sessionId: z.string().nullable(),
    sessionName: z.string().nullable(),
    language: LanguageSchema,
  })
  .openapi("PublishedScript");
export type PublishedScript = z.infer<typeof PublishedScriptSchema>;

export const AuditEventSchema = z
  .object({
    id: Id,
    at: Timestamp,
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string().openapi({ example: "version.publish" }),
    projectId: Id.nullable(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");
export type AuditEvent = z.infer<typeof AuditEventSchema>;
