import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { SSE_HEADERS } from "../../session/protocol";
import { unwrap } from "../../session/result";
import { ClientMessageIdSchema, MAX_MESSAGE_CHARS, TurnResultSchema } from "../../session/schemas";
import { callerOf, common, SessionParams, sessionActor } from "./common";

const SendBody = z
  .object({
    content: z
      .string()
      .max(MAX_MESSAGE_CHARS)
      .openapi({
        description: `What the client says (at most ${MAX_MESSAGE_CHARS} characters). May be empty: an empty message acknowledges an AI line that waits for a reply.`,
        example: "I have been feeling anxious at work.",
      }),
    clientMessageId: ClientMessageIdSchema.optional(),
  })
  .strict()
  .openapi("SendMessage");

const sseDescription = [
  "Sent when the request has `Accept: text/event-stream`. Events, each with an `id` (the seq of the newest logged message):",
  "`message` (the client's message as logged, then each AI message, with `seq`), `delta` (streamed text: `messageId`, `text`),",
  "`safety` (`crisis: true` → show crisis resources), `state` (`status`, `position`, `sessionStatus`), `debug` (authors in debug sessions),",
  "then `done` (the same body as the JSON answer) or `error` (`code`, `message`).",
].join(" ");

const send = createRoute({
  method: "post",
  operationId: "sendMessage",
  path: "/api/sessions/{id}/messages",
  ...common,
  summary: "Send a message: run one turn",
  description:
    "Turns run one at a time in arrival order. The message is stored before the model is called, so it is never lost. Sending the same `clientMessageId` again returns the first answer without running the turn again; after a failed turn (status 502/503), it retries that turn. A completed or archived session answers 409.",
  request: { params: SessionParams, body: { required: true, content: { "application/json": { schema: SendBody } } } },
  responses: {
    200: {
      description: "The AI's answer",
      content: {
        "application/json": { schema: TurnResultSchema },
        "text/event-stream": { schema: z.string().openapi({ description: sseDescription }) },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 429, 502, 503),
  },
});

export const turnRoutes = createRouter().openapi(send, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const actor = sessionActor(c.env, id);
  const req = { ...callerOf(c, id), content: body.content, clientMessageId: body.clientMessageId };
  if (c.req.header("accept")?.includes("text/event-stream")) {
    const stream = await unwrap(actor.sendStream(req));
    return c.body(stream, 200, SSE_HEADERS) as never;
  }
  return c.json(await unwrap(actor.send(req)), 200);
});
