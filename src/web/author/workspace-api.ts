/**
 * The authoring calls the workspace makes (src/routes/projects/*), typed by
 * the server's own zod-derived shapes. Every list is read to its last page.
 */
import type {
  AuditEvent,
  DraftStatus,
  FileSummary,
  Project,
  ProjectDetail,
  Scheme,
  Template,
  ValidatedFile,
  VersionDiff,
  VersionSummary,
} from "../../authoring/models";
import type { Api } from "../client/api";
import type { TestReport } from "../../authoring/testing/report";

export type { AuditEvent, DraftStatus, FileSummary, Project, ProjectDetail, ValidatedFile, VersionDiff, VersionSummary };

export type StatusAction = "archive" | "deprecate" | "restore";

const enc = encodeURIComponent;

async function everyPage<T>(api: Api, path: string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page: { items: T[]; nextCursor: string | null } = await api.request(`${path}${cursor ? `${sep}cursor=${enc(cursor)}` : ""}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export class WorkspaceApi {
  constructor(private readonly api: Api) {}

  projects(): Promise<Project[]> {
    return everyPage(this.api, "/api/projects?status=all");
  }

  createProject(body: { projectName: string; language: string; template: "blank" | "sample" }): Promise<Project> {
    return this.api.request("/api/projects", { body });
  }

  project(id: string): Promise<ProjectDetail> {
    return this.api.request(`/api/projects/${enc(id)}`);
  }

  changeStatus(id: string, action: StatusAction, reason = ""): Promise<Project> {
    if (action === "archive") return this.api.request(`/api/projects/${enc(id)}`, { method: "DELETE" });
    return this.api.request(`/api/projects/${enc(id)}/${action}`, { body: { reason } });
  }

  file(projectId: string, fileId: string): Promise<ValidatedFile> {
    return this.api.request(`/api/projects/${enc(projectId)}/files/${enc(fileId)}`);
  }

  createFile(projectId: string, path: string, content: string): Promise<ValidatedFile> {
    return this.api.request(`/api/projects/${enc(projectId)}/files`, { body: { path, content } });
  }

  updateFile(projectId: string, fileId: string, change: { path?: string; content?: string }): Promise<ValidatedFile> {
    return this.api.request(`/api/projects/${enc(projectId)}/files/${enc(fileId)}`, { method: "PUT", body: change });
  }

  async deleteFile(projectId: string, fileId: string): Promise<void> {
    await this.api.request(`/api/projects/${enc(projectId)}/files/${enc(fileId)}`, { method: "DELETE", accept: "*/*" });
  }

  draft(projectId: string): Promise<DraftStatus> {
    return this.api.request(`/api/projects/${enc(projectId)}/draft`);
  }

  /** `force`: an admin publishing past failing tests (the server refuses it to anyone else). */
  publish(projectId: string, versionNumber: string, releaseNote: string, force = false): Promise<VersionSummary> {
    return this.api.request(`/api/projects/${enc(projectId)}/publish`, { body: { versionNumber, releaseNote, ...(force ? { force } : {}) } });
  }

  versions(projectId: string): Promise<VersionSummary[]> {
    return everyPage(this.api, `/api/projects/${enc(projectId)}/versions`);
  }

  diff(projectId: string, versionId: string, compareWith: string): Promise<VersionDiff> {
    return this.api.request(`/api/projects/${enc(projectId)}/versions/${enc(versionId)}/diff?compareWith=${enc(compareWith)}`);
  }

  rollback(projectId: string, targetVersionId: string): Promise<VersionSummary> {
    return this.api.request(`/api/projects/${enc(projectId)}/rollback`, { body: { targetVersionId } });
  }

  async schemes(projectId: string): Promise<Scheme[]> {
    return (await this.api.request<{ items: Scheme[] }>(`/api/projects/${enc(projectId)}/template-schemes`)).items;
  }

  /** The built-in text of a template, the start of a scheme's own. */
  template(projectId: string, scheme: string, name: string, language: string): Promise<Template> {
    return this.api.request(`/api/projects/${enc(projectId)}/templates/${enc(scheme)}/${enc(name)}?language=${enc(language)}`);
  }

  audit(projectId: string): Promise<AuditEvent[]> {
    return everyPage(this.api, `/api/projects/${enc(projectId)}/audit`);
  }

  runTests(projectId: string): Promise<TestReport> {
    return this.api.request(`/api/projects/${enc(projectId)}/tests/run`, { body: {} });
  }
}
