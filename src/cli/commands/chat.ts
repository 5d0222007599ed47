/**
 * `heartrule chat`: the web page's conversation in a terminal, over the same
 * WebSocket protocol and the same client code (src/web/client): AI text
 * streams as it is generated (on a terminal; a pipe gets each line once,
 * final, see transcript-printer.ts), a dropped connection is reopened with
 * backoff and resumed after the last message seen, nothing is shown twice.
 *
 * Input is one line per answer. Lines typed (or piped) ahead are kept and
 * sent one at a time, each when the session waits for the client, so piped
 * answers behave like a person typing. `/retry` resends after an error,
 * `/quit` leaves. Exit codes: 0 completed, 1 could not start or failed,
 * 2 input ended before the session completed, 130 interrupted.
 *
 * `--script FILE` with `--llm-base-url URL --llm-model NAME` needs no
 * server: the file runs in this process against that model (../local-chat.ts).
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { crisisResourcesFor } from "../../engine/safety/crisis-lines";
import { load } from "../../engine/script";
import { Api, ApiError, type PublishedScript, type StartRequest } from "../../web/client/api";
import { ChatSession } from "../../web/client/chat-session";
import { crisisLinesFor } from "../../web/client/crisis-resources";
import { jwtExpired, renewingToken } from "../../web/client/renewing-token";
import { pickLang, strings, type Lang } from "../../web/client/i18n";
import type { Diagnostic } from "../../web/client/api";
import type { ChatStatus } from "../../web/client/status";
import type { Command } from "../main";
import { crisisNotice, finalLinePrinter, streamingPrinter, withCounselorLines } from "../transcript-printer";
import { describeDiagnostics } from "../diagnostics-text";
import { chatLocally } from "../local-chat";
import { modelFrom, modelHelp, modelUsage, takeModelFlags, type ModelFlags } from "../model-options";
import { loadSessionScript } from "../script-file";

interface Options {
  url: string;
  project?: string;
  script?: string;
  version?: string;
  lang: Lang;
  token?: string;
  model: ModelFlags;
}

const usage = [
  "heartrule chat [--url URL] [--project ID [--script PATH] [--version V] | --script FILE.yaml] [--lang en|zh-CN] [--token JWT]",
  `       heartrule chat --script FILE.yaml ${modelUsage} [--lang en|zh-CN]   (in this process, no server)`,
].join("\n");

function parse(all: string[]): Options | string {
  const taken = takeModelFlags(all);
  if (typeof taken === "string") return taken;
  const args = taken.rest;
  const options: Options = {
    url: process.env.HEARTRULE_URL ?? "http://localhost:8787",
    lang: pickLang([process.env.LC_ALL, process.env.LC_MESSAGES, process.env.LANG].filter((v): v is string => !!v)),
    ...(process.env.HEARTRULE_TOKEN ? { token: process.env.HEARTRULE_TOKEN } : {}),
    model: taken.flags,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (name) {
      case "--url":
      case "--project":
      case "--script":
      case "--version":
      case "--token": {
        const v = value();
        if (!v) return `${name} needs a value`;
        options[name.slice(2) as "url" | "project" | "script" | "version" | "token"] = v;
        break;
      }
      case "--lang": {
        const v = value();
        if (v !== "en" && v !== "zh-CN") return `--lang takes en or zh-CN${v ? `, not '${v}'` : ""}`;
        options.lang = v;
        break;
      }
      default:
        return `unknown option '${arg}'`;
    }
  }
  if (options.version && !options.project) return "--version needs --project";
  if (options.model.baseUrl && (options.project || !options.script))
    return "--llm-base-url runs a local --script FILE in this process; a server's scripts use the server's model";
  try {
    new URL(options.url);
  } catch {
    return `--url is not a URL: '${options.url}'`;
  }
  return options;
}

/**
 * The terminal's tokens: the one given, or (development servers only) dev tokens for one user id of its
 * own, minted again shortly before each runs out, and when the server closes the socket for an expired one,
 * so the session (that user's) goes on.
 */
interface Tokens {
  /** The token for the next request. */
  current: () => Promise<string>;
  /** A new token after the last one expired; null: none can be had. */
  fresh: () => Promise<string | null>;
  /** False once the token in use has passed its `exp`. */
  live: () => boolean;
}

async function tokensFor(api: Api, options: Options, inline: boolean): Promise<Tokens> {
  const given = options.token;
  // A given token cannot be renewed here; one that ran out before a socket opened (the upgrade is refused
  // with 401, not closed with 4401) ends the command all the same instead of reconnecting with it for ever.
  if (given) return { current: async () => given, fresh: async () => null, live: () => !jwtExpired(given) };
  const userId = `cli-${crypto.randomUUID()}`;
  const tokens = renewingToken(() => api.devToken(userId, inline ? "author" : "client"));
  try {
    await tokens();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new Error("this server is not in development mode: pass --token (or set HEARTRULE_TOKEN)");
    throw err;
  }
  // After a 4401 the token has run out, so the renewing source mints the next one.
  return { current: tokens, fresh: tokens, live: () => true };
}

/** What to start, and the session's language (its script's), whose crisis lines are shown. */
async function startRequest(api: Api, options: Options, out: (text: string) => void): Promise<{ request: StartRequest; language: string }> {
  if (options.project) {
    const request = {
      projectId: options.project,
      ...(options.script ? { script: options.script } : {}),
      ...(options.version ? { version: options.version } : {}),
    };
    // Only for the crisis lines' language: a list that cannot be read does not stop the session.
    const scripts = await api.publishedScripts().catch(() => []);
    const listed = scripts.find((s) => s.projectId === options.project && (!options.script || s.path === options.script));
    return { request, language: listed?.language ?? options.lang };
  }
  if (options.script) {
    const scriptYaml = await readFile(options.script, "utf8");
    // The engine's default language; an invalid file is refused by the server with its diagnostics.
    const { script } = load(scriptYaml);
    return { request: { scriptYaml }, language: (script && "session" in script ? script.session.language : undefined) ?? "zh-CN" };
  }
  const scripts = await api.publishedScripts();
  const chosen: PublishedScript | undefined = scripts.find((s) => s.language === options.lang) ?? scripts[0];
  if (!chosen) throw new Error("no published scripts on this server: pass --project or --script");
  out(`(${chosen.projectName} — ${chosen.sessionName ?? chosen.path})\n`);
  return { request: { projectId: chosen.projectId, script: chosen.path }, language: chosen.language };
}

/** The files and diagnostics of a SCRIPT_INVALID problem (422), so they are shown with line and column. */
function refusedFiles(err: ApiError): { path: string; diagnostics: Diagnostic[] }[] {
  const files = err.code === "SCRIPT_INVALID" ? err.problem.files : undefined;
  return Array.isArray(files)
    ? files.filter((f): f is { path: string; diagnostics: Diagnostic[] } => typeof f?.path === "string" && Array.isArray(f.diagnostics))
    : [];
}

export const chatCommand: Command = {
  summary:
    "Talk to a published script (or a local script file) in the terminal, over the session WebSocket, or to a local file with a model of your own.",
  usage,
  help: modelHelp,
  async run(args) {
    const parsed = parse(args);
    if (typeof parsed === "string") {
      console.error(`heartrule chat: ${parsed}\nusage: ${usage}`);
      return 1;
    }
    const options = parsed;
    const t = strings[options.lang];
    if (options.model.baseUrl || options.model.model || options.model.responseFormat) {
      const chosen = modelFrom(options.model);
      const script = typeof chosen === "string" ? chosen : await loadSessionScript(options.script!);
      if (typeof chosen === "string" || typeof script === "string") {
        console.error(`heartrule chat: ${typeof chosen === "string" ? chosen : script}\nusage: ${usage}`);
        return 1;
      }
      return chatLocally(script, chosen, t);
    }
    const out = (text: string) => process.stdout.write(text);
    const note = (text: string) => process.stderr.write(`${text}\n`);
    const inline = !options.project && !!options.script;

    let tokens: Tokens = {
      current: () => Promise.reject(new Error("no token yet")),
      fresh: async () => null,
      live: () => true,
    };
    const api = new Api(
      options.url,
      () => tokens.current(),
      () => options.lang,
    );
    /** Ends the command; set once the conversation runs. */
    let stop: (code: number) => void = () => undefined;
    let session: ChatSession;
    let language: string;
    try {
      tokens = await tokensFor(api, options, inline);
      const start = await startRequest(api, options, note);
      language = start.language;
      const created = await api.startSession(start.request);
      session = new ChatSession({
        address: async ({ tokenExpired }) => {
          const token = tokenExpired || !tokens.live() ? await tokens.fresh() : await tokens.current();
          if (token === null) {
            // A given token cannot be renewed here.
            note(t.cliTokenExpired);
            stop(1);
            throw new Error("token expired");
          }
          return api.socketAddress(created.sessionId, token);
        },
        WebSocket,
        initial: created,
      });
    } catch (err) {
      note(`heartrule chat: ${err instanceof ApiError ? `${err.detail} (${err.code})` : (err as Error).message}`);
      if (err instanceof ApiError)
        for (const file of refusedFiles(err)) note(describeDiagnostics(inline ? options.script! : file.path, file.diagnostics).join("\n"));
      return 1;
    }

    const printer = withCounselorLines(
      process.stdout.isTTY ? streamingPrinter(t.cliAssistant, out, () => process.stdout.columns || 80) : finalLinePrinter(t.cliAssistant, out),
      t.cliCounselor,
      out,
    );
    for (const line of session.conversation.lines) printer.apply({ kind: "added", line });
    session.conversation.onChange((change) => printer.apply(change));

    // Asked now, so a crisis prints them at once: the built-in lines until (or unless) the server answers.
    let crisisLines = crisisResourcesFor(language);
    void crisisLinesFor(api, language).then((lines) => (crisisLines = lines.resources));
    // A turn may be flagged twice (the client's words, the model's report): the lines are printed once, after its reply.
    let crisisFlagged = false;
    session.on("frame", (frame) => {
      if (frame.type === "safety" && frame.crisis) crisisFlagged = true;
    });
    const printCrisisLines = (status: ChatStatus) => {
      if (!crisisFlagged || status === "thinking" || status === "connecting") return;
      crisisFlagged = false;
      out(crisisNotice(t.cliCrisis, crisisLines));
    };

    const queue: string[] = [];
    let inputEnded = false;
    const echo = !process.stdin.isTTY;
    return new Promise<number>((resolve) => {
      const input = createInterface({ input: process.stdin, terminal: false });
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        // Leaving is not a lost connection: nothing more is reported.
        session.close();
        input.close();
        resolve(code);
      };
      let prompted = false;
      let wasConnected = false;
      const pump = (status: ChatStatus) => {
        if (status !== "waiting") return;
        const next = queue.shift();
        if (next !== undefined) {
          if (!prompted) out(t.cliPrompt);
          if (echo) out(`${next}\n`);
          prompted = false;
          session.send(next);
        } else if (inputEnded) {
          note(t.cliInputEnded);
          finish(2);
        } else if (!prompted) {
          out(t.cliPrompt);
          prompted = true;
        }
      };
      session.on("status", (status) => {
        printCrisisLines(status);
        if (status === "connecting" && wasConnected) note(t.cliReconnecting);
        if (status === "completed") {
          note(t.cliCompleted);
          return finish(0);
        }
        if (status === "error") note(t.cliError(session.error?.message || session.error?.code || "connection failed"));
        pump(status);
      });
      session.on("open", ({ reconnect }) => {
        wasConnected = true;
        if (reconnect) note(t.cliReconnected);
      });
      input.on("line", (raw) => {
        const text = raw.trim();
        if (text === "/quit") return finish(session.status === "completed" ? 0 : 2);
        if (text === "/retry") return session.retry();
        if (!text) return;
        queue.push(text);
        pump(session.status);
      });
      input.on("close", () => {
        if (finished) return;
        inputEnded = true;
        pump(session.status);
      });
      stop = finish;
      process.once("SIGINT", () => finish(130));
      session.connect();
    });
  },
};
