/**
 * The HTTP calls the benchmark makes before and after it measures: tokens,
 * the sample project, session creation. Tokens are signed here with the
 * JWT_SECRET the harness gave `wrangler dev` (POST /api/auth/dev-token
 * exists only in development, and the bench runs with ENVIRONMENT=bench).
 */
import { mintToken, type Role } from "../../src/http/auth";

export class Api {
  constructor(
    readonly origin: string,
    private readonly secret: string,
  ) {}

  async token(userId: string, role: Role): Promise<string> {
    return (await mintToken({ id: userId, role }, this.secret, 3600)).token;
  }

  async post<T>(path: string, body: unknown, token: string, expected = [200, 201]): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async get<T>(path: string, token?: string): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  /** Creates the project the sample scripts come in (as its author would) and publishes it. */
  async publishSampleProject(): Promise<string> {
    const author = await this.token("bench-author", "author");
    const project = await this.post<{ id: string }>("/api/projects", { projectName: "Bench samples", language: "en", template: "sample" }, author);
    await this.post(`/api/projects/${project.id}/publish`, { versionNumber: "1.0.0", releaseNote: "bench" }, author);
    return project.id;
  }
}

/** Runs tasks with at most `limit` in flight; results keep the input order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]!, i);
      }
    }),
  );
  return results;
}
