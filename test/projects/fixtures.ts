import { body, call, json, type Person } from "../helpers";

/** A request as `who` (null: without a token), with `payload` as its JSON body when there is one. */
export function send(method: string, path: string, who: Person | null, payload?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit =
    payload === undefined
      ? { method, headers: { ...(who?.headers ?? {}), ...headers } }
      : { ...json(payload, { ...(who?.headers ?? {}), ...headers }), method };
  return call(path, init);
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

export async function newProject(who: Person, fields: Record<string, unknown> = {}) {
  return body<Record<string, any>>(await send("POST", "/api/projects", who, { projectName: `Project of ${who.id}`, language: "en", ...fields }), 201);
}

export async function addFile(who: Person, projectId: string, path: string, content: string) {
  return body<Record<string, any>>(await send("POST", `/api/projects/${projectId}/files`, who, { path, content }), 201);
}

export async function publishVersion(who: Person, projectId: string, versionNumber: string, releaseNote = "") {
  return body<Record<string, any>>(await send("POST", `/api/projects/${projectId}/publish`, who, { versionNumber, releaseNote }), 201);
}

export async function filesOf(who: Person, projectId: string) {
  return (await body<{ items: { id: string; path: string }[] }>(await send("GET", `/api/projects/${projectId}/files?limit=100`, who), 200)).items;
}

export async function fileId(who: Person, projectId: string, path: string): Promise<string> {
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

/**
 * A project's own crisis protocol (crisis/<language>.yaml) whose lines name `line`: its care line said as
 * written, its resources line (shown as written, with the configured crisis lines) and the confirm question
 * the engine reads `current_risk` from.
 */
export function projectCrisisYaml(line: string, language: "en" | "zh-CN" = "en"): string {
  return [
    "session:",
    `  session_id: project_crisis_${language === "en" ? "en" : "zh"}`,
    `  language: ${language}`,
    "  phases:",
    "    - phase_id: crisis",
    "      topics:",
    "        - topic_id: safety",
    "          actions:",
    "            - action_type: ai_say",
    "              action_id: care",
    "              config:",
    `                content: ${JSON.stringify(`${line} is with you.`)}`,
    "                wait_for_reply: false",
    "            - action_type: ai_say",
    "              action_id: lines",
    "              config:",
    `                content: ${JSON.stringify(`Call ${line}, or one of these: {crisis_resources}`)}`,
    "                wait_for_reply: false",
    "            - action_type: ai_ask",
    "              action_id: confirm",
    "              config:",
    `                content: ${JSON.stringify(`${line} asks: are you safe right now?`)}`,
    "                max_rounds: 1",
    "                output:",
    "                  - get: current_risk",
    "                    type: enum",
    "                    values: [none, low, high, imminent]",
    "",
  ].join("\n");
}
