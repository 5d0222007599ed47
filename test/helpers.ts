import { env } from "cloudflare:workers";
import { mintToken, type Role } from "../src/http/auth";
import { createApp } from "../src/app";
import type { Env } from "../src/config";

export const app = createApp();

/** Sends a request through the full app with the test bindings, optionally overridden. */
export function call(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  const request = new Request(new URL(path, "http://heartrule.test"), init);
  const bindings = Object.keys(overrides).length ? { ...env, ...overrides } : env;
  return Promise.resolve(app.fetch(request, bindings));
}

export async function tokenFor(userId: string, role: Role, ttlSeconds?: number): Promise<string> {
  return (await mintToken({ id: userId, role }, env.JWT_SECRET, ttlSeconds)).token;
}

export async function authHeaders(userId: string, role: Role): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(userId, role)}` };
}

let counter = 0;

/** Someone with a token: storage is shared by the tests of one file, so each is a fresh user. */
export interface Person {
  id: string;
  role: Role;
  token: string;
  headers: Record<string, string>;
}

export async function person(role: Role): Promise<Person> {
  counter += 1;
  const id = `${role}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
  return { id, role, token: await tokenFor(id, role), headers: await authHeaders(id, role) };
}

/** The JSON body of a response that must have `status` (null when empty); otherwise throws with what came instead. */
export async function body<T = any>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Asserts the RFC 9457 shape every failure shares and returns the body. */
export async function expectProblem(res: Response, status: number, code: string) {
  const { expect } = await import("vitest");
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:heartrule:problem:/), title: expect.any(String) });
  expect(body.requestId).toBe(res.headers.get("x-request-id"));
  expect(JSON.stringify(body)).not.toMatch(/at \S+ \(|\.ts:\d+/); // never a stack trace
  return body;
}
