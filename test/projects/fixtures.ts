import type { Role } from "../../src/http/auth";
import { authHeaders, call, json } from "../helpers";

let counter = 0;
/** A fresh user id: storage is shared by the tests of one file. */
export function userId(prefix = "author"): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

export interface Caller {
  id: string;
  role: Role;
  headers: Record<string, string>;
}

export async function caller(role: Role, id = userId(role)): Promise<Caller> {
  return { id, role, headers: await authHeaders(id, role) };
}

export function send(method: string, path: string, who: Caller | null, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit =
    body === undefined
      ? { method, headers: { ...(who?.headers ?? {}), ...headers } }
      : { ...json(body, { ...(who?.headers ?? {}), ...headers }), method };
  return call(path, init);
}

export async function ok<T = Record<string, any>>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** One action of a script: a line the AI says, or a question whose answer goes into a variable. */
export type Line = { say: string; waits?: boolean } | { ask: string; into: string };

/**
 * A session script of these lines, each its own action (`line_1`, `line_2`, …).
 * `say` lines wait for one reply (`max_rounds: 1`, the ai_say template) unless
 * `waits: false`; `ask` lines end on the first non-empty answer with the offline model.
 */
export function scriptYaml(sessionId: string, lines: Line[], options: { scheme?: string; language?: "en" | "zh-CN" } = {}): string {
  const action = (line: Line, i: number) => {
    const head = [
      `            - action_type: ${"say" in line ? "ai_say" : "ai_ask"}`,
      `              action_id: line_${i + 1}`,
      "              config:",
    ];
    if ("say" in line) {
      return [
        ...head,
        `                content: ${JSON.stringify(line.say)}`,
        line.waits === false ? "                wait_for_reply: false" : "                max_rounds: 1",
      ];
    }
    return [
      ...head,
      `                content: ${JSON.stringify(line.ask)}`,
      "                max_rounds: 2",
      "                output:",
      `                  - get: ${line.into}`,
    ];
  };
  return [
    "session:",
    `  session_id: ${sessionId}`,
    `  session_name: ${sessionId} name`,
    `  language: ${options.language ?? "en"}`,
    ...(options.scheme ? [`  template_scheme: ${options.scheme}`] : []),
    "  phases:",
    "    - phase_id: p1",
    "      topics:",
    "        - topic_id: t1",
    "          actions:",
    ...lines.flatMap(action),
    "",
  ].join("\n");
}

/** A minimal valid session script whose first line the offline model would say verbatim. */
export function sessionYaml(sessionId: string, say: string, options: { scheme?: string; language?: "en" | "zh-CN" } = {}): string {
  return scriptYaml(sessionId, [{ say }], options);
}

export const brokenYaml = "session:\n  session_id: broken\n  phases: []\n  surprise_field: 1\n";

export async function newProject(who: Caller, body: Record<string, unknown> = {}) {
  return ok(send("POST", "/api/projects", who, { projectName: `Project of ${who.id}`, language: "en", ...body }), 201);
}

export async function addFile(who: Caller, projectId: string, path: string, content: string) {
  return ok(send("POST", `/api/projects/${projectId}/files`, who, { path, content }), 201);
}

export async function publishVersion(who: Caller, projectId: string, versionNumber: string, releaseNote = "") {
  return ok(send("POST", `/api/projects/${projectId}/publish`, who, { versionNumber, releaseNote }), 201);
}

export async function filesOf(who: Caller, projectId: string) {
  return (await ok<{ items: { id: string; path: string }[] }>(send("GET", `/api/projects/${projectId}/files?limit=100`, who))).items;
}

export async function fileId(who: Caller, projectId: string, path: string): Promise<string> {
  const file = (await filesOf(who, projectId)).find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path}`);
  return file.id;
}

/**
 * `d1` whose first query runs `after` once its result is in hand and before
 * the caller gets it: a read taken, then the world moves on, then the reader continues.
 */
export function afterFirstRead(d1: D1Database, after: () => Promise<void>): D1Database {
  let fired = false;
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => statement(target.bind(...values));
        if (prop === "raw" || prop === "all" || prop === "first" || prop === "run") {
          return async (...args: unknown[]) => {
            const result = await (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (!fired) {
              fired = true;
              await after();
            }
            return result;
          };
        }
        const value = target[prop as keyof D1PreparedStatement];
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => statement(target.prepare(query));
      const value = target[prop as keyof D1Database];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
