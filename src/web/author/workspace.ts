/**
 * The author's workspace: the projects, the open project's file tree, the
 * editor of one file (autosaved to the server), and beside it the versions,
 * tests, audit trail and debug session. What the server holds is the draft:
 * another browser, or this one after a reload, opens the same text.
 */
import sampleEn from "../../../scripts/sessions/intake_en.yaml";
import sampleZh from "../../../scripts/sessions/intake_zh.yaml";
import { ApiError, type Api, type Diagnostic } from "../client/api";
import type { Lang, Strings } from "../client/i18n";
import { byId, h } from "../ui/dom";
import { AuditPanel } from "./audit-panel";
import { AUTOSAVE_DEBOUNCE_MS, Autosave, unsavedCopy, type SaveState } from "./autosave";
import { ask, field, notify } from "./dialog";
import { mountEditor, type Check, type Editor } from "./editor";
import { checkedLive, groupOf, NAME_PATTERN, newFileKinds, pathFor, starterContent, type NewFileKind, type TreeGroup } from "./file-kinds";
import { splitter } from "./splitter";
import { tabs } from "./tabs";
import { TestsPanel } from "./tests-panel";
import { VersionsPanel } from "./versions-panel";
import { WorkspaceApi, type FileSummary, type Project, type ProjectDetail, type ValidatedFile } from "./workspace-api";

const samples: Record<Lang, string> = { en: sampleEn, "zh-CN": sampleZh };
const PROJECT_KEY = "heartrule.author.project";
const FILE_KEY = "heartrule.author.file";
const EDITOR_MIN_PX = 600;
const SIDE_MIN_PX = 280;
const FIXED_COLUMNS_PX = 290;
const groups: TreeGroup[] = ["session", "technique", "template", "test", "other"];

interface OpenFile {
  file: ValidatedFile;
  editor: Editor;
  autosave: Autosave;
}

export interface Workspace {
  /** Makes room for a debug session beside the editor and returns where it goes. */
  showDebug(): HTMLElement;
}

const toDiagnostics = (file: ValidatedFile): Diagnostic[] => file.diagnostics.map((d) => ({ ...d, suggestion: d.suggestion ?? "" }));

export function mountWorkspace(t: Strings, api: Api, lang: Lang, isAdmin: boolean, runDebug: (yaml: string) => Promise<void>): Workspace {
  const ws = new WorkspaceApi(api);
  const root = byId("author");
  let projects: Project[] = [];
  let project: ProjectDetail | null = null;
  let open: OpenFile | null = null;
  let valid = false;
  /** Counts files asked to open: only the latest of several opened in quick succession gets the editor. */
  let opening = 0;

  const readOnly = () => project?.status === "archived" || project?.status === "deprecated";
  const projectId = () => project?.id ?? "";

  // ---- the bar: project picker, new project, status, save state ----
  const picker = h("select", { id: "project-select" });
  const newProject = h("button", { type: "button", class: "secondary", id: "new-project" }, t.ws.newProject);
  const statusBadge = h("span", { class: "badge", id: "project-status" });
  const statusActions = h("span", { class: "status-actions" });
  const saveState = h("p", { id: "save-state", role: "status", class: "save-state" });
  const publish = h("button", { type: "button", id: "publish" }, t.ws.publish);
  const notices = h("div", { id: "ws-notices", role: "status", class: "ws-notices" });
  const bar = h(
    "div",
    { class: "ws-bar" },
    h("label", { for: "project-select" }, t.ws.project),
    picker,
    newProject,
    statusBadge,
    statusActions,
    publish,
  );

  // ---- the file tree ----
  const newFile = h("button", { type: "button", class: "secondary", id: "new-file" }, t.ws.newFile);
  const tree = h("div", { class: "file-tree", id: "file-tree" });
  const files = h("nav", { class: "files-pane", id: "files-pane", "aria-label": t.ws.filesTitle }, h("h2", {}, t.ws.filesTitle), newFile, tree);

  // ---- the editor ----
  const editorTitle = h("h2", { id: "editor-title" }, t.ws.noFile);
  const rename = h("button", { type: "button", class: "secondary", id: "rename-file" }, t.ws.rename);
  const remove = h("button", { type: "button", class: "secondary danger-text", id: "delete-file" }, t.ws.delete);
  const sample = h("button", { type: "button", class: "secondary", id: "load-sample" }, t.sampleScript);
  const run = h("button", { type: "button", id: "run", disabled: true }, t.runDebug);
  const runHint = h("p", { class: "hint", id: "run-hint" }, t.runBlocked);
  const editorBody = h("div", { class: "editor-body" });
  const editorPane = h(
    "section",
    { class: "editor-pane", id: "editor-pane", "aria-labelledby": "editor-title" },
    h("div", { class: "editor-head" }, editorTitle, saveState),
    h("div", { class: "actions file-actions" }, rename, remove, sample),
    editorBody,
    h("div", { class: "actions" }, run),
    runHint,
  );

  // ---- beside the editor ----
  const side = h("aside", { class: "side-pane", id: "side-pane", "aria-label": t.ws.sideTitle });
  const versionsEl = h("div", {});
  const testsEl = h("div", {});
  const auditEl = h("div", {});
  const debugEl = h("div", { class: "debug-pane", id: "debug-pane" }, h("p", { class: "hint" }, t.ws.debugEmpty));
  const grid = h("div", { class: "ws-grid" }, files, editorPane);
  // The side pane may grow only while the editor's text area keeps EDITOR_MIN_PX.
  const divider = splitter(grid, "--side-width", t.ws.resizeSide, {
    min: SIDE_MIN_PX,
    max: () => {
      const text = open?.editor.textarea.getBoundingClientRect().width ?? 0;
      // With no file open yet: the files column, the gaps and the gutter take about FIXED_COLUMNS_PX.
      const room = text ? side.getBoundingClientRect().width + text - EDITOR_MIN_PX : grid.clientWidth - EDITOR_MIN_PX - FIXED_COLUMNS_PX;
      return Math.max(SIDE_MIN_PX, room);
    },
    initial: 340,
  });
  grid.append(divider, side);
  root.replaceChildren(bar, notices, grid);

  const goTo = (path: string, line: number) => {
    const file = project?.files.find((f) => f.path === path);
    if (!file) return;
    void openFile(file.id).then(() => open?.editor.goToLine(line));
  };
  const versions = new VersionsPanel(versionsEl, {
    t,
    ws,
    projectId,
    readOnly,
    isAdmin,
    flush: () => open?.autosave.flush() ?? Promise.resolve(),
    changed: async ({ filesReplaced }) => {
      await loadProject(projectId(), { reopen: filesReplaced });
    },
    notices,
    goTo,
  });
  publish.addEventListener("click", () => void versions.publishDialog());
  const tests = new TestsPanel(testsEl, t, ws, projectId, () => open?.autosave.flush() ?? Promise.resolve(), goTo);
  const audit = new AuditPanel(auditEl, t, ws, projectId);
  const selectTab = tabs(side, t.ws.sideTitle, [
    { key: "versions", label: t.ws.versionsTitle, panel: versionsEl },
    { key: "tests", label: t.ws.testsTitle, panel: testsEl },
    { key: "audit", label: t.ws.auditTab, panel: auditEl, onShow: () => project && void audit.refresh() },
    { key: "debug", label: t.debugTitle, panel: debugEl },
  ]);

  const showState = (state: SaveState, detail?: { error?: unknown }) => {
    saveState.dataset.state = state;
    const retry = h("button", { type: "button", class: "link-button", id: "retry-save" }, t.retry);
    retry.addEventListener("click", () => void open?.autosave.flush());
    saveState.replaceChildren(
      state === "error"
        ? `${t.ws.saveState.error}: ${detail?.error instanceof ApiError ? `${detail.error.detail} (${detail.error.code})` : String(detail?.error ?? "")} `
        : t.ws.saveState[state],
      state === "error" ? retry : "",
    );
  };

  addEventListener("beforeunload", (event) => {
    if (open?.autosave.dirty) event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") void open?.autosave.flush();
  });

  // ---- projects ----
  async function loadProjects(selected?: string) {
    projects = await ws.projects();
    picker.replaceChildren(
      ...projects.map((p) =>
        h("option", { value: p.id }, `${p.projectName}${p.status === "archived" || p.status === "deprecated" ? ` (${t.ws.status[p.status]})` : ""}`),
      ),
    );
    const want = selected ?? localStorage.getItem(PROJECT_KEY);
    const pick = projects.find((p) => p.id === want) ?? projects[0];
    if (pick) {
      picker.value = pick.id;
      await loadProject(pick.id, { reopen: true });
    } else {
      project = null;
      tree.replaceChildren(h("p", { class: "hint" }, t.ws.noProjects));
    }
  }

  async function loadProject(id: string, opts: { reopen: boolean }) {
    const switching = project?.id !== id;
    if (switching || opts.reopen) await closeFile();
    project = await ws.project(id);
    localStorage.setItem(PROJECT_KEY, id);
    const summary = projects.find((p) => p.id === id);
    if (summary) summary.status = project.status;
    statusBadge.textContent = `${t.ws.status[project.status]}${project.currentVersionNumber ? ` · ${project.currentVersionNumber}` : ""}`;
    statusBadge.dataset.status = project.status;
    renderStatusActions();
    renderTree();
    newFile.disabled = publish.disabled = readOnly();
    if (switching) tests.reset();
    const opened = opening;
    await Promise.all([versions.refresh(), audit.refresh()]);
    // A file the author chose from the tree meanwhile wins over the remembered one.
    if (!open && opening === opened) {
      const remembered = localStorage.getItem(FILE_KEY);
      const first = project.files.find((f) => f.id === remembered) ?? project.files.find((f) => f.kind === "session") ?? project.files[0];
      if (first) await openFile(first.id);
      else showNoFile();
    }
  }

  function renderStatusActions() {
    if (!project) return;
    const buttons: HTMLButtonElement[] = [];
    const action = (id: string, label: string, onClick: () => Promise<void>, danger = false) => {
      const b = h("button", { type: "button", class: danger ? "secondary danger-text" : "secondary", id }, label);
      b.addEventListener("click", () => void onClick());
      buttons.push(b);
    };
    if (readOnly()) action("restore-project", t.ws.restore, () => changeStatus("restore"));
    else {
      action("archive-project", t.ws.archive, () => changeStatus("archive"), true);
      action("deprecate-project", t.ws.deprecate, () => changeStatus("deprecate"), true);
    }
    statusActions.replaceChildren(...buttons);
  }

  async function changeStatus(action: "archive" | "deprecate" | "restore") {
    if (!project) return;
    const id = project.id;
    const reason = h("input", { autocomplete: "off", maxlength: 1000 });
    const done = await ask(t, {
      title: t.ws.statusTitle[action],
      body: t.ws.statusBody[action],
      confirm: t.ws[action],
      danger: action !== "restore",
      fields: action === "deprecate" ? [field("status-reason", t.ws.reason, reason)] : [],
      submit: async () => {
        await open?.autosave.flush();
        await ws.changeStatus(id, action, reason.value);
      },
    });
    if (!done) return;
    await loadProjects(id);
    notify(
      notices,
      t,
      t.ws.statusDone[action],
      action === "restore"
        ? undefined
        : async () => {
            await ws.changeStatus(id, "restore");
            await loadProjects(id);
          },
    );
  }

  picker.addEventListener("change", () => void loadProject(picker.value, { reopen: true }));

  newProject.addEventListener("click", async () => {
    const name = h("input", { required: true, maxlength: 200, autocomplete: "off" });
    const language = h("select", {}, h("option", { value: "en" }, "English"), h("option", { value: "zh-CN" }, "中文"));
    language.value = lang;
    const template = h("select", {}, h("option", { value: "blank" }, t.ws.templateBlank), h("option", { value: "sample" }, t.ws.templateSample));
    let created: Project | null = null;
    const done = await ask(t, {
      title: t.ws.newProjectTitle,
      confirm: t.ws.create,
      fields: [
        field("project-name", t.ws.projectName, name),
        field("project-language", t.ws.projectLanguage, language),
        field("project-template", t.ws.projectTemplate, template),
      ],
      submit: async () => {
        created = await ws.createProject({
          projectName: name.value.trim(),
          language: language.value,
          template: template.value as "blank" | "sample",
        });
      },
    });
    if (done && created) await loadProjects((created as Project).id);
  });

  // ---- files ----
  function renderTree() {
    if (!project) return;
    const byGroup = new Map<TreeGroup, FileSummary[]>();
    for (const f of project.files) byGroup.set(groupOf(f), [...(byGroup.get(groupOf(f)) ?? []), f]);
    tree.replaceChildren(
      ...groups.map((g) =>
        h(
          "section",
          { class: "tree-group", "data-group": g },
          h("h3", { id: `group-${g}` }, t.ws.groups[g]),
          h(
            "ul",
            { "aria-labelledby": `group-${g}` },
            ...(byGroup.get(g) ?? []).map((f) => {
              const b = h(
                "button",
                { type: "button", class: "file", "data-path": f.path, "aria-current": open?.file.id === f.id ? "true" : null, title: f.path },
                f.path.startsWith("templates/") ? f.path.slice("templates/".length) : f.fileName,
              );
              b.addEventListener("click", () => void openFile(f.id));
              return h("li", {}, b);
            }),
            (byGroup.get(g) ?? []).length === 0 ? h("li", { class: "hint" }, t.ws.none) : null,
          ),
        ),
      ),
    );
  }

  async function closeFile() {
    if (!open) return;
    await open.autosave.flush();
    open.autosave.stop();
    open = null;
  }

  function showNoFile() {
    editorTitle.textContent = t.ws.noFile;
    editorBody.replaceChildren();
    for (const b of [rename, remove, sample, run]) b.disabled = true;
    runHint.hidden = true;
  }

  async function openFile(fileId: string) {
    if (open?.file.id === fileId) return;
    const mine = ++opening;
    await closeFile();
    const file = await ws.file(projectId(), fileId);
    if (mine !== opening) return;
    localStorage.setItem(FILE_KEY, fileId);
    let lastSaved = file;
    const autosave = new Autosave(
      fileId,
      () => lastSaved.contentHash,
      async (text) => ws.updateFile(projectId(), fileId, { content: text }),
      (state, detail) => {
        if (detail?.saved) {
          lastSaved = detail.saved;
          if (open?.file.id === fileId) open.file = detail.saved;
        }
        showState(state, detail);
      },
    );
    const live = checkedLive(file.path);
    const check: Check = live
      ? (text) => api.validate(text)
      : async () => {
          await autosave.flush();
          return { valid: lastSaved.valid, diagnostics: toDiagnostics(lastSaved) };
        };
    const copy = unsavedCopy(fileId);
    const isSession = () => file.kind === "session" || (live && /^\s*session:/m.test(open?.editor.value() ?? file.content));
    const editor = mountEditor(editorBody, t, copy?.text ?? file.content, {
      label: t.ws.editorLabel(file.path),
      check,
      // Other files are checked by their save: at the autosave's pace.
      delay: live ? undefined : AUTOSAVE_DEBOUNCE_MS,
      readOnly: readOnly(),
      onInput: (text) => autosave.changed(text),
      onResult: (ok) => {
        valid = ok;
        run.disabled = !ok || !isSession();
        runHint.hidden = ok || !isSession();
      },
    });
    // Ctrl+S / ⌘S saves now instead of the browser's "save page".
    editor.textarea.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void autosave.flush();
      }
    });
    open = { file, editor, autosave };
    editorTitle.textContent = file.path;
    rename.disabled = remove.disabled = readOnly();
    sample.disabled = readOnly();
    sample.hidden = !live;
    showState("saved");
    if (copy && copy.text !== file.content) {
      autosave.changed(copy.text);
      // Typed here but never saved; if the server's text changed since (another browser), say so and offer it back.
      const newer = copy.base !== file.contentHash;
      notify(notices, t, newer ? t.ws.restoredOverNewer(file.path) : t.ws.restoredUnsaved(file.path), async () => {
        if (open?.file.id !== fileId) return;
        editor.setValue(file.content);
        autosave.changed(file.content);
      });
    }
    renderTree();
  }

  newFile.addEventListener("click", async () => {
    if (!project) return;
    const id = project.id;
    const kind = h("select", {}, ...newFileKinds.map((k) => h("option", { value: k }, t.ws.kinds[k])));
    const name = h("input", { required: true, pattern: NAME_PATTERN, maxlength: 80, autocomplete: "off" });
    const scheme = h("input", { pattern: "[A-Za-z0-9_\\-]+", maxlength: 64, value: "custom", autocomplete: "off" });
    const template = h("select", {});
    const nameField = field("new-file-name", t.ws.fileName, name, t.ws.fileNameHint);
    const templateFields = [field("new-file-scheme", t.ws.scheme, scheme, t.ws.schemeHint), field("new-file-template", t.ws.templateName, template)];
    for (const f of templateFields) f.hidden = true;
    kind.addEventListener("change", async () => {
      const isTemplate = kind.value === "template";
      nameField.hidden = isTemplate;
      name.required = !isTemplate;
      for (const f of templateFields) f.hidden = !isTemplate;
      if (isTemplate && template.options.length === 0) {
        const builtIn = (await ws.schemes(id)).find((s) => s.isDefault);
        template.replaceChildren(...(builtIn?.templates ?? []).map((n) => h("option", { value: n }, n)));
      }
    });
    let created: ValidatedFile | null = null;
    const done = await ask(t, {
      title: t.ws.newFileTitle,
      confirm: t.ws.create,
      fields: [field("new-file-kind", t.ws.fileKind, kind), nameField, ...templateFields],
      submit: async () => {
        const k = kind.value as NewFileKind;
        const schemeName = scheme.value.trim() || "custom";
        if (k === "template") {
          const builtIn = await ws.template(id, "default", template.value, project?.language ?? lang);
          created = await ws.createFile(id, pathFor(k, template.value, schemeName), builtIn.content);
        } else {
          created = await ws.createFile(id, pathFor(k, name.value.trim(), schemeName), starterContent(k, name.value.trim(), lang));
        }
      },
    });
    if (!done || !created) return;
    await loadProject(id, { reopen: false });
    await openFile((created as ValidatedFile).id);
  });

  rename.addEventListener("click", async () => {
    if (!open) return;
    const current = open;
    const path = h("input", { required: true, maxlength: 200, value: current.file.path, autocomplete: "off" });
    const done = await ask(t, {
      title: t.ws.renameTitle,
      confirm: t.ws.rename,
      fields: [field("rename-path", t.ws.newPath, path)],
      submit: async () => {
        await current.autosave.flush();
        await ws.updateFile(projectId(), current.file.id, { path: path.value.trim() });
      },
    });
    if (!done) return;
    await loadProject(projectId(), { reopen: true });
  });

  remove.addEventListener("click", async () => {
    if (!open) return;
    const current = open;
    const done = await ask(t, {
      title: t.ws.deleteTitle(current.file.path),
      body: t.ws.deleteBody,
      confirm: t.ws.delete,
      danger: true,
      submit: async () => {
        await current.autosave.flush();
        await ws.deleteFile(projectId(), current.file.id);
      },
    });
    if (!done) return;
    const { path } = current.file;
    const content = current.editor.value();
    current.autosave.discard();
    open = null;
    localStorage.removeItem(FILE_KEY);
    await loadProject(projectId(), { reopen: false });
    notify(notices, t, t.ws.deleted(path), async () => {
      const restored = await ws.createFile(projectId(), path, content);
      await loadProject(projectId(), { reopen: false });
      await openFile(restored.id);
    });
  });

  sample.addEventListener("click", async () => {
    if (!open) return;
    const current = open;
    const done = await ask(t, { title: t.ws.sampleTitle, body: t.ws.sampleBody, confirm: t.sampleScript, danger: true });
    if (!done || open !== current) return;
    const before = current.editor.value();
    current.editor.setValue(samples[lang]);
    current.autosave.changed(samples[lang]);
    notify(notices, t, t.ws.sampleLoaded, async () => {
      if (open !== current) return;
      current.editor.setValue(before);
      current.autosave.changed(before);
    });
  });

  run.addEventListener("click", async () => {
    if (!open || !(await open.editor.checked())) return;
    run.disabled = true;
    try {
      await runDebug(open.editor.value());
    } catch (err) {
      runHint.hidden = false;
      runHint.textContent = `${t.errorStart} ${err instanceof ApiError ? `${err.detail} (${err.code})` : ""}`;
    } finally {
      run.disabled = !valid;
    }
  });

  void loadProjects();

  return {
    showDebug: () => {
      grid.classList.add("running");
      selectTab("debug");
      return debugEl;
    },
  };
}
