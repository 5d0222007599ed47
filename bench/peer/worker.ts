/**
 * The peer: what a user would otherwise pick for chat on Durable Objects, an
 * `AIChatAgent` (@cloudflare/ai-chat on `agents`), one object per
 * conversation, answering every message by streaming the bench's fake model
 * (model.ts). A bench-only Worker (bench/peer/wrangler.toml): nothing here is
 * part of HeartRule's bundle.
 *
 * Its storage is counted the way HeartRule's actor counts its own
 * (src/session/instrumentation.ts: commits, statements), through the
 * object's `storage` handed to the agent, and read at POST /bench/cost.
 */
import { AIChatAgent, type OnChatMessageOptions } from "@cloudflare/ai-chat";
import { routeAgentRequest } from "agents";
import { convertToModelMessages, streamText } from "ai";
import { Instrumentation } from "../../src/session/instrumentation";
import type { TurnCost } from "../../src/session/rpc";
import { fakeModel, type FakeModelOptions } from "./model";

interface PeerEnv {
  PeerChat: DurableObjectNamespace<PeerChat>;
}

const DEFAULT_MODEL: FakeModelOptions = { ttftMs: 0, tokensPerSecond: 0, replyTokens: 12 };

export class PeerChat extends AIChatAgent {
  private readonly cost: Instrumentation;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.cost = new Instrumentation(true);
    const storage = this.cost.storage(ctx.storage);
    // The runtime checks the state it constructs the object with, so the counted storage goes in afterwards.
    const counted = new Proxy(ctx, {
      get(target, prop) {
        if (prop === "storage") return storage;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    Object.defineProperty(this, "ctx", { value: counted });
  }

  override async onChatMessage(_onFinish: unknown, options?: OnChatMessageOptions) {
    this.cost.turn();
    const model = { ...DEFAULT_MODEL, ...((options?.body as { model?: Partial<FakeModelOptions> } | undefined)?.model ?? {}) };
    const result = streamText({ model: fakeModel(model), messages: await convertToModelMessages(this.messages) });
    return result.toUIMessageStreamResponse();
  }

  costReport(): TurnCost | null {
    return this.cost.report();
  }
}

export default {
  async fetch(request: Request, env: PeerEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health/ready") return new Response("ok");
    if (url.pathname === "/bench/cost" && request.method === "POST") {
      const { names } = (await request.json()) as { names: string[] };
      const reports = await Promise.all(names.map((n) => env.PeerChat.get(env.PeerChat.idFromName(n)).costReport()));
      return Response.json(reports);
    }
    return (await routeAgentRequest(request, env)) ?? new Response("not found", { status: 404 });
  },
};
