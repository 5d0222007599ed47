import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import { DomainError } from "../errors";
import type { AppEnv } from "./types";

/** Field-level errors for a problem body; values are never echoed back. */
export function validationErrors(error: ZodError): { path: string; message: string; code: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join(".") : "(root)",
    message: issue.message,
    code: issue.code,
  }));
}

/** Every route module uses this so invalid input becomes one consistent 400 problem. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        throw new DomainError("VALIDATION_FAILED", `The request ${where} is not valid.`, {
          errors: validationErrors(result.error),
        });
      }
    },
  });
}
