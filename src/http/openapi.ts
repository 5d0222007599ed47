import { z } from "@hono/zod-openapi";

/** The vendor extension that marks a route serving only in development and bench: the document leaves it out elsewhere. */
export const LOCAL_ONLY_EXTENSION = "x-heartrule-local-only";
export const LOCAL_ONLY = { [LOCAL_ONLY_EXTENSION]: true } as const;

type Operations = Record<string, Record<string, unknown>>;

/**
 * The document as a deployment outside development shows it: without the
 * operations marked LOCAL_ONLY (the development token, the seed, the
 * benchmark's routes), the paths left empty, and the tags no operation uses.
 */
export function withoutLocalOnly<
  D extends { paths?: Record<string, unknown>; tags?: { name: string }[]; components?: { schemas?: Record<string, unknown> } },
>(doc: D): D {
  const paths: Record<string, Operations> = {};
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Operations>)) {
    const kept = Object.fromEntries(Object.entries(item).filter(([, op]) => !(typeof op === "object" && op && LOCAL_ONLY_EXTENSION in op)));
    if (Object.keys(kept).length) paths[path] = kept;
  }
  const used = new Set(Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => (op.tags as string[] | undefined) ?? [])));
  const components = doc.components ? { ...doc.components, schemas: reachableSchemas(paths, doc.components.schemas ?? {}) } : undefined;
  return { ...doc, paths, ...(components ? { components } : {}), ...(doc.tags ? { tags: doc.tags.filter((t) => used.has(t.name)) } : {}) };
}

/** The component schemas `paths` refer to, directly or through other schemas. */
function reachableSchemas(paths: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
  const refs = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  const reached = new Set<string>();
  const pending = refs(paths);
  while (pending.length) {
    const name = pending.pop()!;
    if (reached.has(name) || !(name in schemas)) continue;
    reached.add(name);
    pending.push(...refs(schemas[name]));
  }
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name)));
}

/** `{ items, nextCursor }`: every list answers this way. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last" }),
    })
    .openapi(name);
}

export const PageQuery = z.object({
  cursor: z.string().max(512).optional().openapi({ description: "The `nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, content: { "application/json": { schema } }, ...(description ? { description } : {}) };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
