/** A user's right to erasure: every session of theirs, everywhere, with a receipt. */
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, currentUser, requireAuth } from "../../http/auth";
import { jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { DomainError } from "../../errors";
import { createRouter } from "../../http/router";
import { eraseUser } from "../../lifecycle/erasure";

const ReceiptSchema = z
  .object({
    userId: z.string(),
    erasedAt: z.string().openapi({ description: "When the erasure finished (ISO 8601)" }),
    sessions: z.array(z.object({ sessionId: z.string(), messages: z.number().int().openapi({ description: "Messages erased" }) })),
    pending: z.array(z.string()).openapi({
      description: "Sessions gone for every reader whose database copy is not removed yet: their actor retries until it is; call again to confirm",
    }),
    counts: z.object({ sessions: z.number().int(), messages: z.number().int(), pending: z.number().int() }),
  })
  .openapi("ErasureReceipt");

const eraseData = createRoute({
  method: "delete",
  path: "/api/users/{userId}/data",
  operationId: "eraseUserData",
  tags: ["operations"],
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  summary: "Erase every session of a user",
  description:
    "Admins, for anyone; anyone else, for themself. Finds the user's sessions in the session directory and in D1 (either suffices), erases each one's Durable Object storage, D1 rows, cache entries and directory entry, and leaves an audit row per session and one for the request (ids and counts, no content). What erased means on Cloudflare: see the README's Data lifecycle.",
  request: {
    params: z.object({
      userId: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "userId", in: "path" }, example: "client-1" }),
    }),
  },
  responses: { 200: jsonResponse(ReceiptSchema, "The receipt"), ...problemResponses(400, 401, 403) },
});

export const userDataRoutes = createRouter().openapi(eraseData, async (c) => {
  const { userId } = c.req.valid("param");
  const user = currentUser(c);
  if (user.role !== "admin" && user.id !== userId) throw new DomainError("FORBIDDEN", "Only admins can erase another user's data.");
  return c.json(await eraseUser(c.env, userId, user), 200);
});
