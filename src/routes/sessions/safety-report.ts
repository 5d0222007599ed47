import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, requireAuth } from "../../http/auth";
import { jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { safetyReport } from "../../store/sessions/safety-report";

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM")
  .openapi({ example: "2026-01" });

const ReportQuery = z
  .object({
    from: Month.openapi({ description: "First month (UTC), inclusive" }),
    to: Month.openapi({ description: "Last month (UTC), inclusive" }),
  })
  .refine((q) => q.from <= q.to, { message: "`from` must not be after `to`", path: ["from"] });

const SafetyReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    rows: z.array(
      z
        .object({
          month: z.string().openapi({ example: "2026-01" }),
          locale: z.string().openapi({ description: "The script's language", example: "en" }),
          detections: z
            .number()
            .int()
            .openapi({ description: "Safety flags of risk `low` or above (the scan of the client's words or the model's report)" }),
          confirmations: z.number().int().openapi({
            description:
              "Answers to the crisis protocol's question about safety that showed a current risk (read as low or above, or crisis words in the answer itself)",
          }),
          denials: z.number().int().openapi({ description: "Answers to that question read as no current risk" }),
          unclear: z
            .number()
            .int()
            .openapi({ description: "Answers to that question nothing could be read from (the model gave no reading or failed)" }),
          referrals: z.number().int().openapi({ description: "Times crisis resources were shown to a client" }),
          guardActions: z.number().int().openapi({
            description:
              "Lines the AI was about to show that crossed a safety boundary (flagged by the model or the local output check) and were replaced by a checked rewrite or an approved line",
          }),
        })
        .openapi("SafetyReportRow"),
    ),
  })
  .openapi("SafetyReport");

const report = createRoute({
  method: "get",
  operationId: "getSafetyReport",
  path: "/api/admin/safety/report",
  tags: ["sessions"],
  security: bearerSecurity,
  middleware: [requireAuth("admin", "counselor")] as const,
  summary: "Safety counts by month and locale",
  description:
    "Counts of safety detections, the crisis protocol's confirmations (and denials, and answers it could not read), crisis referral notifications and output-guard actions per calendar month (UTC) and script language, as a yearly report under California SB 243 needs. Months without any are left out. No session, user or message identifiers and no content: only counts. Erased sessions still count (their records are unlinked, not deleted). Admins and counselors.",
  request: { query: ReportQuery },
  responses: { 200: jsonResponse(SafetyReportSchema, "The counts"), ...problemResponses(400, 401, 403) },
});

export const safetyReportRoutes = createRouter().openapi(report, async (c) => {
  const { from, to } = c.req.valid("query");
  return c.json({ from, to, rows: await safetyReport(c.env.DB, from, to) }, 200);
});
