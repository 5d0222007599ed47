/** CRISIS_RESOURCES: the deployment's crisis lines, validated with the engine's table schema. */
import { describe, expect, it } from "vitest";
import { ConfigError, getConfig, type Env } from "../../src/config";
import { ModelSource } from "../../src/session/turns/model";

const env = (vars: Record<string, string>) => vars as unknown as Env;

describe("CRISIS_RESOURCES", () => {
  it("is read as a table of crisis lines per locale and handed to turns", () => {
    const table = { "en-GB": [{ name: "Samaritans", phone: "116 123", hours: "24/7" }] };
    const e = env({ CRISIS_RESOURCES: JSON.stringify(table) });
    const config = getConfig(e);
    expect(config.CRISIS_RESOURCES).toEqual({ "en-GB": [{ name: "Samaritans", kind: "crisis_line", phone: "116 123", hours: "24/7" }] });
    expect(new ModelSource(config, e).crisisResources).toBe(config.CRISIS_RESOURCES);
  });

  it("is optional: unset or empty means the engine's defaults", () => {
    expect(getConfig(env({})).CRISIS_RESOURCES).toBeUndefined();
    expect(getConfig(env({ CRISIS_RESOURCES: " " })).CRISIS_RESOURCES).toBeUndefined();
  });

  it.each([
    ["not JSON", "{zh-CN: 12356}"],
    ["a line without a name", JSON.stringify({ "zh-CN": [{ phone: "12356" }] })],
    ["a locale with no lines", JSON.stringify({ "zh-CN": [] })],
    ["a key that is not a locale", JSON.stringify({ China: [{ name: "x", phone: "1" }] })],
  ])("refuses %s, naming the setting (CONFIG_INVALID)", (_what, value) => {
    let error: unknown;
    try {
      getConfig(env({ CRISIS_RESOURCES: value }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).fields.every((f) => f.startsWith("CRISIS_RESOURCES"))).toBe(true);
  });
});
