/**
 * A schema-driven fuzz of every operation in `/openapi.json`: wrong types,
 * missing and extra fields, huge strings, deep JSON, NUL and invalid UTF-8,
 * `__proto__` keys and odd ids, sent with a token that passes (an admin's, or
 * the owner's), so the input reaches validation and the handlers. Every answer
 * must be a 4xx problem or a success, never 5xx, and none slower than
 * SLOW_MS. The seed is fixed and the count bounded, so a failure reproduces:
 * the case's name says what was sent.
 */
import { describe, expect, it } from "vitest";
import { call, type Person } from "../helpers";
import { bindingsFor, bodies, fixture, realValues, type Fixture, type Parameter } from "./operations";

const SEED = 0x5eed_2026;
/** Cases per operation; the ~47 operations make ~560 requests, a few seconds. */
const CASES_PER_OPERATION = 12;
/** No answer may take longer, even on a loaded 2-core machine; a script's parse and checks stay well under it. */
const SLOW_MS = 2000;
/** Strings sent in fields that hold YAML stay short: YAML bombs and their time limits are the script loader's tests. */
const YAML_FIELD_CHARS = 4000;
const HUGE_CHARS = 200_000;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
};

interface DocOperation {
  parameters?: (Parameter & { schema: JsonSchema })[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface Doc {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

function resolver(doc: Doc) {
  const resolve = (schema: JsonSchema | undefined): JsonSchema => {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc.components?.schemas?.[schema.$ref.replace("#/components/schemas/", "")]);
    if (schema.allOf?.length) return resolve(schema.allOf[0]);
    return schema;
  };
  return resolve;
}

/** The properties an object schema (or the first object branch of a union) declares. */
function propertiesOf(schema: JsonSchema, resolve: (s: JsonSchema | undefined) => JsonSchema): Record<string, JsonSchema> {
  const s = resolve(schema);
  if (s.properties) return s.properties;
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const p = resolve(branch).properties;
    if (p) return p;
  }
  return {};
}

const typeOf = (schema: JsonSchema): string => {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  return t ?? (schema.enum ? typeof schema.enum[0] : "unknown");
};

function deep(depth: number, kind: "array" | "object"): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : { a: value };
  return value;
}

/** A value of the wrong type for `schema`, or a hostile one of the right type. */
function hostile(schema: JsonSchema, field: string, rng: Rng): { label: string; value: unknown } {
  const yamlish = /yaml|content/i.test(field);
  const huge = yamlish ? YAML_FIELD_CHARS : HUGE_CHARS;
  const t = typeOf(schema);
  const wrongType: { label: string; value: unknown }[] = [
    { label: "null", value: null },
    { label: "number", value: t === "number" || t === "integer" ? "12" : 12 },
    { label: "boolean", value: t === "boolean" ? "true" : true },
    { label: "array", value: t === "array" ? {} : ["x"] },
    { label: "object", value: t === "object" ? [] : { nested: 1 } },
  ];
  const sameType: { label: string; value: unknown }[] =
    t === "string"
      ? [
          { label: "huge string", value: "x".repeat(huge) },
          { label: "NUL string", value: "a\u0000b\u0000" },
          { label: "lone surrogate", value: "\ud800x\udfff" },
          { label: "empty string", value: "" },
          { label: "RTL and emoji", value: "\u202e😀".repeat(50) },
          { label: "__proto__ string", value: "__proto__" },
        ]
      : t === "number" || t === "integer"
        ? [
            { label: "huge number", value: 1e308 },
            { label: "negative", value: -1 },
            { label: "fraction", value: 0.5 },
          ]
        : t === "array"
          ? [
              { label: "huge array", value: Array.from({ length: 10_000 }, (_, i) => i) },
              { label: "deep array", value: deep(5000, "array") },
            ]
          : [
              { label: "deep object", value: deep(5000, "object") },
              { label: "__proto__ object", value: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}') },
            ];
  return rng.next() < 0.5 ? rng.pick(wrongType) : rng.pick(sameType);
}

/** Path values that are not what the route names: each label says which. */
const oddIds: { label: string; value: string }[] = [
  { label: "NUL", value: "a\u0000b" },
  { label: "dot-dot", value: ".." },
  { label: "long id", value: "9".repeat(5000) },
  { label: "__proto__ id", value: "__proto__" },
  { label: "constructor id", value: "constructor" },
  { label: "upper-case uuid", value: crypto.randomUUID().toUpperCase() },
  { label: "uuid with space", value: ` ${crypto.randomUUID()}` },
  { label: "unicode id", value: "项目😀" },
  { label: "negative number", value: "-1" },
  { label: "percent", value: "%" },
];

interface Case {
  name: string;
  method: string;
  /** The path as the document spells it, `{id}` and all. */
  template: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: BodyInit | undefined;
}

const textEncoder = new TextEncoder();

/** A JSON body with one thing wrong, chosen by the schema; or the valid body sent in a broken way. */
function bodyCase(
  opName: string,
  schema: JsonSchema,
  resolve: (s: JsonSchema | undefined) => JsonSchema,
  f: Fixture,
  rng: Rng,
): { label: string; body: BodyInit } {
  const valid = (bodies[opName]?.(f) ?? {}) as Record<string, unknown>;
  const properties = propertiesOf(schema, resolve);
  const names = Object.keys(properties);
  const required = resolve(schema).required ?? [];
  const kind = rng.int(8);
  if (kind === 0 && names.length) {
    const field = rng.pick(names);
    const bad = hostile(resolve(properties[field]), field, rng);
    return { label: `${field}: ${bad.label}`, body: JSON.stringify({ ...valid, [field]: bad.value }) };
  }
  if (kind === 1 && required.length) {
    const field = rng.pick(required);
    const { [field]: _gone, ...rest } = valid;
    return { label: `without ${field}`, body: JSON.stringify(rest) };
  }
  if (kind === 2) return { label: "extra fields", body: JSON.stringify({ ...valid, ["x".repeat(rng.int(300) + 1)]: 1, "<b>": "<b>" }) };
  if (kind === 3) return { label: "__proto__ key", body: `{"__proto__":{"isAdmin":true},${JSON.stringify(valid).slice(1)}` };
  if (kind === 4) {
    const text = JSON.stringify(valid);
    // The bytes 0xff 0xfe are never UTF-8, put inside the first string value.
    const at = text.indexOf('"', text.indexOf(":") + 1) + 1 || 1;
    const bytes = [...textEncoder.encode(text.slice(0, at)), 0xff, 0xfe, 0xc3, ...textEncoder.encode(text.slice(at))];
    return { label: "invalid UTF-8", body: new Uint8Array(bytes) };
  }
  if (kind === 5) return { label: "top-level", body: JSON.stringify(rng.pick([null, [], 7, "text", true, [valid]])) };
  if (kind === 6) return { label: "deep JSON", body: JSON.stringify(deep(rng.pick([100, 3000, 20_000]), rng.pick(["array", "object"] as const))) };
  return { label: "NUL in every string", body: JSON.stringify(valid, (_k, v) => (typeof v === "string" ? `${v}\u0000` : v)) };
}

type ParamSchema = JsonSchema & { maxLength?: number; minimum?: number; maximum?: number };

/** Values at and just past the bounds the parameter's schema declares: every one is sent, once, in a request otherwise valid. */
function boundaryValues(schema: ParamSchema): string[] {
  return [
    ...(schema.maxLength ? ["b".repeat(schema.maxLength), "b".repeat(schema.maxLength + 1), "%_\\".repeat(Math.floor(schema.maxLength / 3))] : []),
    ...(schema.minimum !== undefined ? [String(schema.minimum), String(schema.minimum - 1)] : []),
    ...(schema.maximum !== undefined ? [String(schema.maximum), String(schema.maximum + 1)] : []),
    ...(schema.enum ?? []).map((v) => `${String(v)} `),
  ];
}

/** Values no parameter expects. */
const oddQueryValues = ["-1", "1e309", "NaN", "abc", "\u0000", "x".repeat(3000), "0", "%", "🙂", "__proto__"];

/** One thing wrong in the query (a parameter's value, an extra parameter, a broken escape), so each reaches the route alone. */
function queryCase(params: { name: string; schema: JsonSchema }[], rng: Rng): { label: string; query: string } {
  const kind = params.length ? rng.int(6) : 4 + rng.int(2);
  if (kind < 4) {
    const p = rng.pick(params);
    const value = rng.pick([...boundaryValues(p.schema), ...oddQueryValues]);
    const shown = value.length > 12 ? `${value.slice(0, 4)}…(${value.length})` : JSON.stringify(value);
    return { label: `${p.name}=${shown}`, query: new URLSearchParams({ [p.name]: value }).toString() };
  }
  if (kind === 4) return { label: "__proto__=x&constructor=y", query: "__proto__=x&constructor=y" };
  // An invalid percent-escape, which no decoder can turn into text.
  const name = params.length ? rng.pick(params).name : "bad";
  return { label: `${name}=%FF%FE`, query: `${name}=%FF%FE` };
}

/** The headers of a request as `who`, with a JSON content type when there is a body and the upgrade the WebSocket routes need. */
function headersFor(who: Person, path: string, hasBody: boolean): Record<string, string> {
  return { ...who.headers, ...(hasBody ? { "content-type": "application/json" } : {}), ...(path.endsWith("/ws") ? { upgrade: "websocket" } : {}) };
}

const fill = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, p: string) => encodeURIComponent(values[p]!));

function cases(doc: Doc, f: Fixture, rng: Rng): Case[] {
  const resolve = resolver(doc);
  const out: Case[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [lower, op] of Object.entries(methods)) {
      const method = lower.toUpperCase();
      const name = `${method} ${template}`;
      const params = (op.parameters ?? []).filter((p) => p.in === "path");
      const query = (op.parameters ?? []).filter((p) => p.in === "query");
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      const real = realValues({ path: template, params }, f);

      // Every bound of every query parameter, once, in a request otherwise valid.
      const validBody = bodySchema ? JSON.stringify(bodies[name]?.(f) ?? {}) : undefined;
      for (const p of query) {
        for (const value of boundaryValues(p.schema)) {
          out.push({
            name: `${name} [${p.name} of ${value.length} characters at a bound]`,
            method,
            template,
            path: fill(template, real),
            query: new URLSearchParams({ [p.name]: value }).toString(),
            headers: headersFor(f.admin, template, !!validBody),
            body: validBody,
          });
        }
      }

      for (let i = 0; i < CASES_PER_OPERATION; i++) {
        const labels: string[] = [];
        const values = { ...real };
        if (params.length && rng.next() < 0.35) {
          const param = rng.pick(params);
          const odd = rng.pick(oddIds);
          values[param.name] = odd.value;
          labels.push(`${param.name}: ${odd.label}`);
        }
        const q = rng.next() < (query.length ? 0.6 : 0.15) ? queryCase(query, rng) : { label: "", query: "" };
        if (q.label) labels.push(`?${q.label}`);
        const b = bodySchema ? bodyCase(name, bodySchema, resolve, f, rng) : undefined;
        if (b) labels.push(b.label);
        // Mostly an admin, who may reach everything; sometimes the owner, whose paths differ (debug output, speaking).
        const owner = template.startsWith("/api/sessions/{id}") ? f.client : template.startsWith("/api/projects/{id}") ? f.author : f.admin;
        const headers = headersFor(rng.next() < 0.5 ? owner : f.admin, template, !!b);
        if (rng.next() < 0.15) {
          headers["accept-language"] = rng.pick(["zh;q=NaN, en;q=-1", "*;q=0", "x".repeat(2000), "zh-CN,zh;q=0.9"]);
          labels.push(`Accept-Language ${headers["accept-language"].slice(0, 16)}`);
        }
        out.push({
          name: `${name} [${labels.join("; ") || "as documented"}]`,
          method,
          template,
          path: fill(template, values),
          query: q.query,
          headers,
          body: b?.body,
        });
      }
    }
  }
  return out;
}

/** Drains what came back, closing a socket or an event stream the case opened. */
async function finish(res: Response): Promise<string> {
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "fuzz");
    return "";
  }
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    await res.body?.cancel();
    return "";
  }
  return res.text();
}

describe("fuzzing every operation", () => {
  it(`${CASES_PER_OPERATION} cases per operation (seed ${SEED}): no 5xx, none slower than ${SLOW_MS} ms`, async () => {
    const f = await fixture();
    const doc = (await (await call("/openapi.json")).json()) as Doc;
    const all = cases(doc, f, prng(SEED));
    expect(all.length).toBeGreaterThanOrEqual(40 * CASES_PER_OPERATION);
    const failures: string[] = [];
    const started = Date.now();
    let slowest = 0;
    for (const c of all) {
      const t0 = Date.now();
      const res = await call(
        `${c.path}${c.query ? `?${c.query}` : ""}`,
        { method: c.method, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) },
        bindingsFor(c.template),
      );
      const text = await finish(res);
      const ms = Date.now() - t0;
      slowest = Math.max(slowest, ms);
      if (res.status >= 500) failures.push(`${c.name} → ${res.status} ${text.slice(0, 300)}`);
      else if (ms > SLOW_MS) failures.push(`${c.name} → took ${ms} ms`);
      else if (res.status >= 400 && !res.headers.get("content-type")?.startsWith("application/problem+json"))
        failures.push(`${c.name} → ${res.status} without a problem body`);
      // "<b>" is sent only as the name of an extra field: a problem must not quote it back.
      else if (res.status >= 400 && text.includes("<b>")) failures.push(`${c.name} → ${res.status} echoes an unknown key`);
    }
    console.info(`fuzz: ${all.length} requests in ${Date.now() - started} ms, slowest ${slowest} ms`);
    expect(failures).toEqual([]);
  }, 120_000);
});
