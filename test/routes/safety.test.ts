/**
 * The counselor role and the safety routes: who lists sessions by risk, who reads a flagged session, and
 * GET /api/admin/safety/report (counts by month and locale, no identifiers).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, json } from "../helpers";
import { body, person, say, sendMessage, settle, startSession, tinyScript, type Person } from "../session/helpers";

async function flaggedSession(owner: Person, name: string, language: "en" | "zh-CN" = "en", words = "I want to die") {
  const yaml = tinyScript(name, ["Hello.", "How are you?", "Thank you."]).replace("language: en", `language: ${language}`);
  const id = (await startSession(owner, { scriptYaml: yaml })).sessionId as string;
  await say(owner, id, words);
  await settle(id);
  return id;
}

async function calmSession(owner: Person, name: string) {
  const id = (await startSession(owner, { scriptYaml: tinyScript(name, ["Hello.", "How are you?", "Thank you."]) })).sessionId as string;
  await say(owner, id, "Fine, thanks");
  await settle(id);
  return id;
}

const report = (who: Person, query: string) => call(`/api/admin/safety/report?${query}`, { headers: who.headers });

describe("the counselor role", () => {
  it("is one a development token can carry", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "counselor-dev", role: "counselor" }), { ENVIRONMENT: "development" });
    const { token } = await body(res, 200);
    expect(await body(await call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } }), 200)).toEqual({
      id: "counselor-dev",
      role: "counselor",
    });
  });

  it("reads a flagged session's info, messages and export, but never speaks in it or deletes it", async () => {
    const owner = await person("author");
    const id = await flaggedSession(owner, "counselor_reads");
    const counselor = await person("counselor");
    expect(await body(await call(`/api/sessions/${id}`, { headers: counselor.headers }), 200)).toMatchObject({ sessionId: id, riskLevel: "high" });
    const seen = (await body(await call(`/api/sessions/${id}/messages`, { headers: counselor.headers }), 200)).items;
    expect(seen.length).toBeGreaterThan(0);
    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: counselor.headers }), 200);
    expect(exported.safety.map((r: any) => r.kind)).toEqual(["flag", "referral"]);
    await expectProblem(await sendMessage(counselor, id, "Hello from the counselor"), 403, "FORBIDDEN");
    await expectProblem(await call(`/api/sessions/${id}`, { method: "DELETE", headers: counselor.headers }), 403, "FORBIDDEN");
    // The counselor read the whole transcript, and nothing was added to it.
    expect((await body(await call(`/api/sessions/${id}/messages`, { headers: owner.headers }), 200)).items).toEqual(seen);
  });

  it("does not reach a session no flag raised: 404 as for a session that does not exist; an admin reads it", async () => {
    const owner = await person("author");
    const id = await calmSession(owner, "counselor_unflagged");
    const counselor = await person("counselor");
    for (const path of ["", "/messages", "/variables", "/export"]) {
      await expectProblem(await call(`/api/sessions/${id}${path}`, { headers: counselor.headers }), 404, "NOT_FOUND");
    }
    const admin = await person("admin");
    expect(await body(await call(`/api/sessions/${id}`, { headers: admin.headers }), 200)).toMatchObject({ sessionId: id, riskLevel: "none" });
  });
});

describe("GET /api/sessions?risk=", () => {
  it("is refused to clients and authors with a 403 problem; counselors and admins get everyone's flagged sessions", async () => {
    const owner = await person("client");
    const author = await person("author");
    const id = await flaggedSession(author, "listed_by_risk");
    for (const role of [owner, author]) {
      const problem = await expectProblem(await call("/api/sessions?risk=high", { headers: role.headers }), 403, "FORBIDDEN");
      expect(problem.detail).toMatch(/counselors and admins/);
    }
    // Without the filter every role lists its own sessions, as before.
    expect((await body(await call("/api/sessions", { headers: author.headers }), 200)).items.map((s: any) => s.sessionId)).toEqual([id]);
    for (const role of ["counselor", "admin"] as const) {
      const reviewer = await person(role);
      const page = await body(await call("/api/sessions?risk=high&limit=100", { headers: reviewer.headers }), 200);
      expect(page.items.map((s: any) => s.sessionId)).toContain(id);
      expect(page.items.every((s: any) => s.riskLevel === "high" || s.riskLevel === "imminent")).toBe(true);
    }
    const counselor = await person("counselor");
    await expectProblem(await call("/api/sessions?risk=none", { headers: counselor.headers }), 400, "VALIDATION_FAILED");
    await expectProblem(await call("/api/sessions?risk=severe", { headers: counselor.headers }), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/admin/safety/report", () => {
  it("counts detections, confirmations, referrals and guard actions per month and locale, for months from..to only", async () => {
    // Records of past months, as the mirror writes them (erased sessions' rows have no session).
    const at = (iso: string) => Date.parse(iso);
    const flag = (id: string, level: string, locale: string, when: string) =>
      env.DB.prepare("INSERT INTO safety_flags (id, turn, level, locale, source, created_at) VALUES (?, 1, ?, ?, 'input', ?)").bind(
        id,
        level,
        locale,
        at(when),
      );
    const referral = (id: string, locale: string, when: string) =>
      env.DB.prepare("INSERT INTO crisis_referrals (id, turn, level, locale, created_at) VALUES (?, 1, 'high', ?, ?)").bind(id, locale, at(when));
    const confirmation = (id: string, outcome: string, locale: string, when: string) =>
      env.DB.prepare("INSERT INTO crisis_confirmations (id, turn, level, outcome, locale, created_at) VALUES (?, 1, 'high', ?, ?, ?)").bind(
        id,
        outcome,
        locale,
        at(when),
      );
    const guard = (id: string, locale: string, when: string) =>
      env.DB.prepare(
        "INSERT INTO guard_actions (id, turn, source, kinds, action, locale, created_at) VALUES (?, 1, 'local', '[\"prescription\"]', 'canned', ?, ?)",
      ).bind(id, locale, at(when));
    await env.DB.batch([
      guard("g1", "en", "2020-01-10T10:00:00Z"),
      guard("g2", "en", "2020-01-11T10:00:00Z"),
      guard("g3", "zh-CN", "2020-02-01T00:00:00Z"),
      guard("g4", "en", "2020-03-01T00:00:00Z"),
      flag("f1", "high", "en", "2020-01-05T10:00:00Z"),
      flag("f2", "none", "en", "2020-01-06T10:00:00Z"),
      flag("f3", "low", "en", "2020-02-29T23:59:59Z"),
      flag("f4", "imminent", "en", "2020-03-01T00:00:00Z"),
      referral("r1", "en", "2020-01-05T10:00:00Z"),
      referral("r2", "en", "2020-01-31T23:59:59Z"),
      referral("r3", "zh-CN", "2020-01-01T00:00:00Z"),
      referral("r4", "en", "2019-12-31T23:59:59Z"),
      confirmation("c1", "confirmed", "en", "2020-01-05T10:01:00Z"),
      confirmation("c2", "denied", "en", "2020-01-06T10:01:00Z"),
      confirmation("c3", "denied", "en", "2020-01-06T10:02:00Z"),
      confirmation("c4", "unclear", "zh-CN", "2020-01-07T10:00:00Z"),
      confirmation("c5", "confirmed", "en", "2020-03-01T00:00:00Z"),
    ]);
    const admin = await person("admin");
    expect(await body(await report(admin, "from=2020-01&to=2020-02"), 200)).toEqual({
      from: "2020-01",
      to: "2020-02",
      rows: [
        { month: "2020-01", locale: "en", detections: 1, confirmations: 1, denials: 2, unclear: 0, referrals: 2, guardActions: 2 },
        { month: "2020-01", locale: "zh-CN", detections: 0, confirmations: 0, denials: 0, unclear: 1, referrals: 1, guardActions: 0 },
        { month: "2020-02", locale: "en", detections: 1, confirmations: 0, denials: 0, unclear: 0, referrals: 0, guardActions: 0 },
        // A month and locale with only a guard action is a row of its own.
        { month: "2020-02", locale: "zh-CN", detections: 0, confirmations: 0, denials: 0, unclear: 0, referrals: 0, guardActions: 1 },
      ],
    });
    expect((await body(await report(admin, "from=2020-03&to=2020-03"), 200)).rows).toEqual([
      { month: "2020-03", locale: "en", detections: 1, confirmations: 1, denials: 0, unclear: 0, referrals: 0, guardActions: 1 },
    ]);
  });

  it("counts what sessions flag, confirm and refer, by the script's language, and holds no identifier", async () => {
    const month = new Date().toISOString().slice(0, 7);
    const counselor = await person("counselor");
    const counts = async () => {
      const rows = (await body(await report(counselor, `from=${month}&to=${month}`), 200)).rows as any[];
      return (locale: string) =>
        rows.find((r) => r.locale === locale) ?? { detections: 0, confirmations: 0, denials: 0, referrals: 0, guardActions: 0 };
    };
    const earlier = await counts();
    const owner = await person("author");
    const en = await flaggedSession(owner, "report_en");
    const zh = await flaggedSession(owner, "report_zh", "zh-CN", "我真的不想活了");
    // The protocol's safety question reads a risk in one answer and a denial in the other.
    await say(owner, en, "Yes, I still want to die");
    await say(owner, zh, "我没事");
    await settle(en);
    await settle(zh);
    await calmSession(owner, "report_calm");
    const later = await counts();
    for (const locale of ["en", "zh-CN"]) {
      const [was, now] = [earlier(locale), later(locale)];
      expect({
        detections: now.detections - was.detections,
        confirmations: now.confirmations - was.confirmations,
        denials: now.denials - was.denials,
      }).toEqual(locale === "en" ? { detections: 2, confirmations: 1, denials: 0 } : { detections: 1, confirmations: 0, denials: 1 });
    }
    // The answer still at risk had the lines shown again: a second referral.
    expect(later("en").referrals - earlier("en").referrals).toBe(2);
    expect(later("zh-CN").referrals - earlier("zh-CN").referrals).toBe(1);
    const res = await report(counselor, `from=${month}&to=${month}`);
    const text = await res.text();
    for (const secret of [en, zh, owner.id, "die", "不想活"]) expect(text).not.toContain(secret);
    for (const row of JSON.parse(text).rows)
      expect(Object.keys(row).sort()).toEqual(["confirmations", "denials", "detections", "guardActions", "locale", "month", "referrals", "unclear"]);
  });

  it("is for admins and counselors only, and refuses months that are not YYYY-MM or run backwards", async () => {
    for (const role of ["client", "author"] as const) {
      await expectProblem(await report(await person(role), "from=2020-01&to=2020-12"), 403, "FORBIDDEN");
    }
    await expectProblem(await call("/api/admin/safety/report?from=2020-01&to=2020-12"), 401, "UNAUTHENTICATED");
    const admin = await person("admin");
    for (const query of ["from=2020-13&to=2020-12", "from=2020-1&to=2020-12", "to=2020-12", "from=2020-12&to=2020-01"]) {
      await expectProblem(await report(admin, query), 400, "VALIDATION_FAILED");
    }
  });
});
