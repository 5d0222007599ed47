/** globalSetup of the `workers` project: the webhook receiver (test/support/webhook-receiver.ts); its URL becomes HANDOFF_WEBHOOK_URL (vitest.config.ts). */
import type { TestProject } from "vitest/node";
import { startWebhookReceiver } from "../support/webhook-receiver";

declare module "vitest" {
  interface ProvidedContext {
    webhookReceiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiverUrl", receiver.url);
  return () => receiver.close();
}
