/** The client's time zone, given when a session starts: validated, kept as the session's time_zone, shown to the model as local time. */
import { describe, expect, it } from "vitest";
import { call, expectProblem, json } from "../helpers";
import { person, startSession, tinyScript } from "./helpers";

describe("a session's time zone", () => {
  it("is stored by its canonical IANA name, and the model is told the client's local time in it", async () => {
    const author = await person("author");
    const created = await startSession(author, { scriptYaml: tinyScript("tz_tokyo"), timeZone: "asia/tokyo", debug: true });
    expect(created.variables).toEqual({ time_zone: "Asia/Tokyo" });
    const prompts: string[] = created.debug.traces.map((t: { prompt: string }) => t.prompt);
    expect(prompts.length).toBeGreaterThan(0);
    for (const prompt of prompts) expect(prompt).toMatch(/GMT\+9 \(Asia\/Tokyo\)/);

    const viaVariables = await startSession(author, {
      scriptYaml: tinyScript("tz_vars"),
      initialVariables: { time_zone: "Europe/London", name: "Ada" },
    });
    expect(viaVariables.variables).toEqual({ time_zone: "Europe/London", name: "Ada" });
  });

  it("is refused with 400 VALIDATION_FAILED when it is not an IANA name", async () => {
    const author = await person("author");
    for (const [payload, path] of [
      [{ timeZone: "Mars/Olympus" }, "timeZone"],
      [{ timeZone: "+08:00" }, "timeZone"],
      [{ timeZone: "" }, "timeZone"],
      [{ initialVariables: { time_zone: "Beijing" } }, "initialVariables.time_zone"],
      [{ initialVariables: { time_zone: 8 } }, "initialVariables.time_zone"],
    ] as const) {
      const problem = await expectProblem(
        await call("/api/sessions", json({ scriptYaml: tinyScript("tz_bad"), ...payload }, author.headers)),
        400,
        "VALIDATION_FAILED",
      );
      expect((problem.errors as { path: string }[]).map((e) => e.path)).toEqual([path]);
    }
  });
});
