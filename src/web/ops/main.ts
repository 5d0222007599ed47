/**
 * The operations page at `/ops` (admins): GET /api/admin/metrics drawn as charts (turns and
 * failures, latency, tokens, the canary) with the totals, the last errors by code with their
 * request ids, and tokens and cost per project and script version. In development the
 * "development sign-in" mints an admin token; elsewhere one is handed in (#token=) or pasted.
 */
import type { Metrics } from "../../ops/metrics-schema";
import { ApiError } from "../client/api";
import { adoptHandedToken, pageClient } from "../ui/auth";
import { byId, h } from "../ui/dom";
import { currentLang, setUpPage } from "../ui/layout";
import { signIn } from "../ui/sign-in";
import { drawChart } from "./charts";
import { opsStrings } from "./strings";

const RANGES: Record<string, { ms: number; interval: string }> = {
  "1h": { ms: 3_600_000, interval: "1m" },
  "24h": { ms: 86_400_000, interval: "30m" },
  "7d": { ms: 7 * 86_400_000, interval: "4h" },
};

// uPlot's stylesheet, which esbuild writes beside this bundle.
document.head.append(h("link", { rel: "stylesheet", href: new URL("./ops.css", import.meta.url).href }));
adoptHandedToken();
const lang = currentLang();
const page = setUpPage(() => location.reload());
const t = opsStrings[lang];
document.title = `${page.appName} · ${t.title}`;
byId("ops-title").textContent = t.title;
const { api, auth } = pageClient("admin", false, lang);
const start = signIn(
  byId("signin"),
  api,
  auth,
  ["admin"],
  {
    title: t.signInTitle,
    note: t.devSignInNote,
    devButton: t.devSignIn,
    tokenLabel: t.tokenLabel,
    tokenUse: t.tokenUse,
    tokenUnreadable: t.tokenUnreadable,
    signInNeeded: t.signInNeeded,
    tokenRejected: page.tokenRejected,
    wrongRole: t.wrongRole,
    signedInAs: page.signedInAs,
  },
  () => showDashboard(),
);

function showDashboard(): void {
  byId("ops").hidden = false;
  byId("range-label").textContent = t.range;
  byId("refresh").textContent = t.refresh;
  const select = byId<HTMLSelectElement>("range-select");
  select.replaceChildren(...Object.keys(RANGES).map((key) => h("option", { value: key }, t.ranges[key] ?? key)));
  select.value = "1h";
  byId("ops-range").addEventListener("submit", (event) => {
    event.preventDefault();
    void load(select.value);
  });
  select.addEventListener("change", () => void load(select.value));
  void load(select.value);
}

async function load(rangeKey: string): Promise<void> {
  const range = RANGES[rangeKey] ?? RANGES["1h"]!;
  const to = Date.now();
  const query = new URLSearchParams({ from: new Date(to - range.ms).toISOString(), to: new Date(to).toISOString(), interval: range.interval });
  const updated = byId("updated");
  try {
    const m = await api.request<Metrics>(`/api/admin/metrics?${query}`);
    render(m);
    updated.textContent = t.updated(new Date().toLocaleTimeString(lang));
  } catch (err) {
    updated.textContent = t.loadFailed(err instanceof ApiError ? `${err.detail} (${err.code})` : String(err));
  }
}

const fmt = (n: number) => n.toLocaleString(lang);
const ms = (n: number | null) => (n === null ? "–" : `${fmt(n)} ms`);

function render(m: Metrics): void {
  const s = t.summary;
  const tiles: [string, string][] = [
    [s.sessionsStarted, fmt(m.sessions.started)],
    [s.sessionsCompleted, fmt(m.sessions.completed)],
    [s.sessionsAbandoned, fmt(m.sessions.abandoned)],
    [s.sessionsActive, fmt(m.sessions.active)],
    [s.turns, fmt(m.turns.total)],
    [s.errorRate, `${(m.turns.errorRate * 100).toFixed(1)}%`],
    [s.p95, ms(m.turns.latencyMs.p95)],
    [s.modelP95, ms(m.turns.modelLatencyMs.p95)],
    [s.tokens, `${fmt(m.turns.inputTokens)} / ${fmt(m.turns.outputTokens)}`],
    [s.crisis, fmt(m.safety.crisisDetections)],
    [s.referrals, fmt(m.safety.referrals)],
    [s.mirrorLag, ms(m.mirror.maxLagMs)],
    [s.canary, `${fmt(m.canary.runs)} (${fmt(m.canary.failed)})`],
  ];
  byId("summary").replaceChildren(
    ...tiles.map(([label, value]) => h("div", { class: "ops-tile" }, h("span", { class: "hint" }, label), h("strong", {}, value))),
  );

  const c = t.charts;
  const times = m.series.map((b) => Date.parse(b.at));
  drawChart(byId("chart-turns"), c.turns, c.time, times, [
    { label: c.turnsSeries, values: m.series.map((b) => b.turns), stroke: "var(--accent)" },
    { label: c.failedSeries, values: m.series.map((b) => b.failed), stroke: "var(--danger)" },
  ]);
  drawChart(byId("chart-latency"), c.latency, c.time, times, [
    { label: c.p50, values: m.series.map((b) => b.latencyMs.p50), stroke: "var(--ok)" },
    { label: c.p95, values: m.series.map((b) => b.latencyMs.p95), stroke: "var(--accent)" },
    { label: c.modelP95, values: m.series.map((b) => b.modelLatencyMs.p95), stroke: "var(--warning)" },
  ]);
  drawChart(byId("chart-tokens"), c.tokens, c.time, times, [
    { label: c.input, values: m.series.map((b) => b.inputTokens), stroke: "var(--accent)" },
    { label: c.output, values: m.series.map((b) => b.outputTokens), stroke: "var(--ok)" },
  ]);
  drawChart(
    byId("chart-canary"),
    c.canary,
    c.time,
    m.canary.recent.map((r) => Date.parse(r.at)),
    [{ label: c.canaryLatency, values: m.canary.recent.map((r) => r.latencyMs), stroke: "var(--accent)" }],
  );
  renderErrors(m);
  renderProjects(m);
}

function table(columns: string[], rows: (string | Node)[][], id: string): HTMLTableElement {
  return h(
    "table",
    { class: "ops-table", id },
    h("thead", {}, h("tr", {}, ...columns.map((col) => h("th", { scope: "col" }, col)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", {}, cell))))),
  );
}

/** A card: its heading, then `content`, or the `none` line when there is nothing to show. */
function fillSection(id: string, heading: string, none: string, content: Node[]): void {
  const title = h("h2", { id: `${id}-title` }, heading);
  byId(id).replaceChildren(title, ...(content.length ? content : [h("p", { class: "hint" }, none)]));
}

function renderErrors(m: Metrics): void {
  const content = m.errors.length
    ? [
        h("h3", {}, t.errorsByCode),
        table(
          t.codeColumns,
          m.errors.map((e) => [h("code", {}, e.code), String(e.status), fmt(e.count)]),
          "errors-by-code",
        ),
        table(
          t.errorColumns,
          m.recentErrors.map((e) => [new Date(e.at).toLocaleString(lang), h("code", {}, e.code), e.channel, h("code", {}, e.requestId ?? "–")]),
          "recent-errors",
        ),
      ]
    : [];
  fillSection("errors", t.errorsTitle, t.errorsNone, content);
}

function renderProjects(m: Metrics): void {
  const usd = (n: number) => n.toLocaleString(lang, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
  const rows = m.projects.flatMap((p) =>
    p.versions.map((v) => [
      h("code", {}, p.projectId ?? t.inline),
      h("code", {}, v.versionId ?? "–"),
      fmt(v.sessions),
      fmt(v.turns),
      fmt(v.inputTokens),
      fmt(v.outputTokens),
      usd(v.estimatedCostUsd),
    ]),
  );
  const content = rows.length
    ? [
        table(t.projectColumns, rows, "project-usage"),
        ...(m.unpricedModels.length ? [h("p", { class: "hint" }, t.unpriced(m.unpricedModels.join(", ")))] : []),
      ]
    : [];
  fillSection("projects", t.projectsTitle, t.projectsNone, content);
}

void start();
