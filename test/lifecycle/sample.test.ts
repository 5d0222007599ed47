/**
 * The seeded sample, as `npm run dev` leaves it: a newcomer's client starts
 * the Chinese intake by name and talks to it. Its own file: the seed acts
 * only on a database with no projects, and storage is per test file.
 */
import { describe, expect, it } from "vitest";
import { load } from "../../src/engine/script";
import type { SessionScript } from "../../src/engine";
import intakeZh from "../../scripts/sessions/intake_zh.yaml";
import { body, call, person } from "../helpers";
import { openSocket, startSession } from "../session/helpers";
import { said, sessionInfo, wsTurn } from "./helpers";

/** The `content` of each action of the sample as the loader reads it (literal blocks folded), by action id. */
function contents(yaml: string): Map<string, string> {
  const doc = load(yaml).script as SessionScript;
  return new Map(
    doc.session.phases.flatMap((p) =>
      p.topics.flatMap((t) =>
        t.actions.flatMap((a) => (a.action_type === "set" || a.action_type === "use_skill" ? [] : [[a.action_id, a.config.content.trim()] as const])),
      ),
    ),
  );
}

describe("the seeded sample project", () => {
  it('starts with {projectId, script: "intake_zh"} and speaks the sample\'s words', async () => {
    const seeded = await body(await call("/api/dev/seed", { method: "POST" }), 200);
    expect(seeded).toMatchObject({ seeded: true, versionNumber: "1.0.0" });
    const client = await person("client");
    const listed = await body(await call("/api/projects/published?language=zh-CN", { headers: client.headers }), 200);
    expect(listed.items.map((s: { projectId: string; sessionId: string }) => [s.projectId, s.sessionId])).toEqual([[seeded.projectId, "intake_zh"]]);

    const words = contents(intakeZh);
    const session = await startSession(client, { projectId: seeded.projectId, script: "intake_zh" });
    expect(said(session.messages)).toEqual([words.get("greet"), words.get("ask_name")]);
    expect(session.position).toMatchObject({ actionId: "ask_name" });
    expect(await sessionInfo(client, session.sessionId)).toMatchObject({
      projectId: seeded.projectId,
      versionNumber: "1.0.0",
      scriptPath: "sessions/intake_zh.yaml",
      scriptId: "intake_zh",
    });

    const socket = await openSocket(session.sessionId, client.token);
    const turn = await wsTurn(socket, "小林", "zh-1");
    expect(said(turn.messages)).toEqual([words.get("ask_problem")!.replace("{{来访者称呼}}", "小林")]);
    socket.ws.close(1000);
  });
});
