import { describe, expect, it } from "vitest";
import { pickLang } from "../../../src/web/client/i18n";
import { deriveStatus, sessionRunState } from "../../../src/web/client/status";

describe("the one visible status", () => {
  it("puts completed and errors before the connection, and the connection before the turn", () => {
    const base = { connected: true, run: "waiting", inFlight: false, failed: false } as const;
    expect(deriveStatus(base)).toBe("waiting");
    expect(deriveStatus({ ...base, inFlight: true })).toBe("thinking");
    expect(deriveStatus({ ...base, run: "running" })).toBe("thinking");
    expect(deriveStatus({ ...base, connected: false })).toBe("connecting");
    expect(deriveStatus({ ...base, connected: false, failed: true })).toBe("error");
    expect(deriveStatus({ ...base, run: "error" })).toBe("error");
    expect(deriveStatus({ ...base, run: "completed", connected: false, failed: true })).toBe("completed");
    // A reload: the server has messages the page is still receiving.
    expect(deriveStatus({ ...base, run: "completed", catchingUp: true })).toBe("connecting");
  });

  it("reads the server's execution statuses", () => {
    expect(["waiting_input", "completed", "error", "something new"].map(sessionRunState)).toEqual(["waiting", "completed", "error", "unknown"]);
  });
});

describe("the UI language", () => {
  it("follows the first Chinese or English preference, English otherwise", () => {
    expect(pickLang(["zh-TW", "en"])).toBe("zh-CN");
    expect(pickLang(["de-DE", "zh-CN"])).toBe("zh-CN");
    expect(pickLang(["en-GB", "zh-CN"])).toBe("en");
    expect(pickLang(["fr-FR"])).toBe("en");
    expect(pickLang([])).toBe("en");
  });
});
