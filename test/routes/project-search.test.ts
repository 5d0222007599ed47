import { describe, expect, it } from "vitest";
import { body, expectProblem, person } from "../helpers";
import { newProject, send } from "../projects/fixtures";

/** Names of the caller's projects a search finds, sorted. */
async function found(who: Awaited<ReturnType<typeof person>>, term: string): Promise<string[]> {
  const res = await send("GET", `/api/projects?search=${encodeURIComponent(term)}`, who);
  return (await body(res, 200)).items.map((p: { projectName: string }) => p.projectName).sort();
}

describe("GET /api/projects?search=", () => {
  // D1 refuses LIKE patterns over 50 bytes; a long term once came back as 500.
  it("answers long terms with results, up to the 200-character limit", async () => {
    const a = await person("author");
    const long = `${"calm ".repeat(30)}breath`;
    await newProject(a, { projectName: "short", description: long });
    await newProject(a, { projectName: "other" });
    expect(await found(a, long)).toEqual(["short"]);
    expect(await found(a, "x".repeat(200))).toEqual([]);
    expect(await found(a, "%_\\".repeat(66))).toEqual([]);
    expect(await found(a, "平静".repeat(100))).toEqual([]);
    await expectProblem(await send("GET", `/api/projects?search=${"x".repeat(201)}`, a), 400, "VALIDATION_FAILED");
  });

  // test/projects/projects.test.ts covers % and _; these are what instr changed how to match.
  it("takes a backslash literally and ignores ASCII case, on both sides", async () => {
    const a = await person("author");
    await newProject(a, { projectName: "back\\slash" });
    await newProject(a, { projectName: "Deep CALM" });
    expect(await found(a, "k\\s")).toEqual(["back\\slash"]);
    expect(await found(a, "calm")).toEqual(["Deep CALM"]);
    expect(await found(a, "dEEP")).toEqual(["Deep CALM"]);
  });
});
