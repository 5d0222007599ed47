import { describe, expect, it } from "vitest";
import protocolEn from "../../../src/engine/crisis/protocol-en";
import { pinnedCrisisScript, pinnedTemplates } from "../../../src/session/load/crisis";
import { CRISIS_TEXT } from "../../../src/session/requests";
import type { PinnedScript } from "../../../src/session/storage/tables";
import { parseScript } from "../engine/helpers";

const scriptYaml = `session:
  session_id: pinned
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_say
              action_id: hello
              config: { content: Hello. }
`;

function pinned(templates: Record<string, string>): PinnedScript {
  return { hash: "h", yaml: scriptYaml, script: parseScript(scriptYaml), templates };
}

describe("load/crisis.ts: a project's pinned crisis protocol", () => {
  it("hands the engine the templates without the crisis text", () => {
    const p = pinned({ ai_say: "Say {{content}}", [CRISIS_TEXT]: protocolEn });
    expect(pinnedTemplates(p)).toEqual({ ai_say: "Say {{content}}" });
  });

  it("loads the pinned protocol once per pinned script, and none when the session has none", () => {
    const p = pinned({ [CRISIS_TEXT]: protocolEn.replace("session_id: crisis_protocol_en", "session_id: project_protocol") });
    const script = pinnedCrisisScript(p);
    expect(script?.session.session_id).toBe("project_protocol");
    expect(pinnedCrisisScript(p)).toBe(script);
    expect(pinnedCrisisScript(pinned({}))).toBeUndefined();
  });

  it("gives undefined for a text that no longer loads, so the engine's built-in protocol runs", () => {
    expect(pinnedCrisisScript(pinned({ [CRISIS_TEXT]: "session: [not, a, protocol]" }))).toBeUndefined();
  });
});
