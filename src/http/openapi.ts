import { z } from "@hono/zod-openapi";

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
