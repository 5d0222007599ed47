import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import { DomainError } from "../errors";
import type { AppEnv } from "./types";

/** Path segments a schema names itself are short identifiers; anything longer is the caller's own text, cut to this. */
const MAX_SEGMENT_CHARS = 32;

/**
 * One path segment, fit to quote back. Record keys (the names of
 * `initialVariables`, say) are chosen by the caller: a segment that is not a
 * short identifier is quoted, with everything outside printable ASCII
 * escaped, and cut to MAX_SEGMENT_CHARS.
 */
function pathSegment(key: PropertyKey): string {
  if (typeof key === "number") return String(key);
  const text = String(key);
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(text) && text.length <= MAX_SEGMENT_CHARS) return text;
  const cut = [...text].slice(0, MAX_SEGMENT_CHARS).join("");
  const quoted = JSON.stringify(cut).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return cut.length < text.length ? `${quoted}…` : quoted;
}

function issueMessage(issue: ZodError["issues"][number]): string {
  // zod names each unknown key; they are whatever the caller sent, so only their number is told.
  if (issue.code === "unrecognized_keys") {
    const n = issue.keys.length;
    return `${n} unknown ${n === 1 ? "key was" : "keys were"} sent; only the documented fields are accepted.`;
  }
  return issue.message;
}

/** Field-level errors for a problem body; values, and key names the caller made up, are never echoed back. */
export function validationErrors(error: ZodError): { path: string; message: string; code: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(pathSegment).join(".") : "(root)",
    message: issueMessage(issue),
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
