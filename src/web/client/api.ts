/**
 * The REST calls the clients make, with RFC 9457 problems turned into
 * ApiError. Shared by the page and `heartrule chat`; uses only fetch.
 */
import type { CrisisResource } from "../../engine/safety/resources";
import { socketProtocols } from "../../http/socket-token";
import type { SocketAddress } from "./chat-session";
import { toMessageFrame, type MessageFrame } from "./protocol";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem's stable `code` (e.g. NOT_FOUND), or NETWORK_ERROR when nothing answered. */
    readonly code: string,
    readonly detail: string,
    readonly requestId?: string,
    /** The whole problem body, for its extension members (e.g. the diagnostics of SCRIPT_INVALID). */
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail || code);
    this.name = "ApiError";
  }
}

export type Role = "client" | "author" | "admin" | "counselor";

export interface PublishedScript {
  projectId: string;
  projectName: string;
  versionId: string;
  versionNumber: string;
  path: string;
  sessionId: string | null;
  sessionName: string | null;
  language: string;
}

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  path: string;
  line: number;
  column: number;
  message: string;
  suggestion: string;
}

export interface Scopes {
  global: Record<string, unknown>;
  session: Record<string, unknown>;
  phase: Record<string, Record<string, unknown>>;
  topic: Record<string, Record<string, unknown>>;
}

export interface CreatedSession {
  sessionId: string;
  messages: MessageFrame[];
  status: string;
  raw: Record<string, unknown>;
}

/** GET /api/crisis-resources: the lines to offer and the locale they are for. */
export interface CrisisResourceList {
  locale: string;
  source: "configured" | "default";
  resources: CrisisResource[];
}

export type StartRequest = { projectId: string; script?: string; version?: string } | { scriptYaml: string; debug?: boolean };

export class Api {
  constructor(
    /** Origin of the HeartRule server (the page's own origin in a browser). */
    readonly baseUrl: string,
    /** Returns the bearer token to send, or null for none. */
    private readonly token: () => Promise<string | null>,
    /** The UI language, sent as Accept-Language so messages match it. */
    private readonly lang: () => string = () => "en",
  ) {}

  async request<T>(path: string, init: { method?: string; body?: unknown; auth?: boolean; accept?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: init.accept ?? "application/json", "accept-language": this.lang() };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    if (init.auth !== false) {
      const token = await this.token();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        body: init.body === undefined ? null : JSON.stringify(init.body),
      });
    } catch {
      throw new ApiError(0, "NETWORK_ERROR", `Could not reach ${new URL(this.baseUrl).host}.`);
    }
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string; requestId?: string };
      throw new ApiError(
        res.status,
        problem.code ?? `HTTP_${res.status}`,
        problem.detail ?? problem.title ?? res.statusText,
        problem.requestId,
        problem,
      );
    }
    if (init.accept && init.accept !== "application/json") return (await res.blob()) as T;
    return (await res.json()) as T;
  }

  /** Development only: the server answers 404 elsewhere. */
  async devToken(userId: string, role: Role): Promise<{ token: string; expiresAt: string }> {
    return this.request("/api/auth/dev-token", { body: { userId, role }, auth: false });
  }

  async me(): Promise<{ id: string; role: Role }> {
    return this.request("/api/auth/me");
  }

  /** No token: a person in crisis gets the lines even when their sign-in fails. */
  async crisisResources(locale: string): Promise<CrisisResourceList> {
    return this.request(`/api/crisis-resources?locale=${encodeURIComponent(locale)}`, { auth: false });
  }

  /** The session scripts the caller may start, every page of them. */
  async publishedScripts(): Promise<PublishedScript[]> {
    const all: PublishedScript[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
      const page: { items: PublishedScript[]; nextCursor: string | null } = await this.request(`/api/projects/published${query}`);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** Starts a session in this device's time zone, so the model tells the client's local time. */
  async startSession(request: StartRequest): Promise<CreatedSession> {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const body = timeZone ? { ...request, timeZone } : request;
    const raw = await this.request<Record<string, unknown>>("/api/sessions", { body });
    return sessionFrom(raw);
  }

  async validate(yaml: string): Promise<{ valid: boolean; diagnostics: Diagnostic[] }> {
    return this.request("/api/scripts/validate", { body: { yaml } });
  }

  /** Variables of a session, flat and by scope. */
  async variables(sessionId: string): Promise<{ variables: Record<string, unknown>; scopes: Scopes }> {
    return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/variables`);
  }

  async exportSession(sessionId: string): Promise<Blob> {
    return this.request(`/api/sessions/${encodeURIComponent(sessionId)}/export`, { accept: "application/json, text/markdown;q=0.9, */*;q=0.5" });
  }

  /** The WebSocket address of a session; the token rides in a subprotocol (`bearer.<token>`), never in the URL, which ends up in logs. */
  socketAddress(sessionId: string, token: string): SocketAddress {
    const url = new URL(`/api/sessions/${encodeURIComponent(sessionId)}/ws`, this.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return { url: url.toString(), protocols: socketProtocols(token) };
  }
}

function sessionFrom(raw: Record<string, unknown>): CreatedSession {
  const messages = Array.isArray(raw.messages) ? raw.messages.map(toMessageFrame).filter((m): m is MessageFrame => m !== null) : [];
  return { sessionId: String(raw.sessionId), messages, status: typeof raw.status === "string" ? raw.status : "unknown", raw };
}
