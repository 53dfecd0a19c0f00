// The bench's outputs: a plain table for the terminal, a Markdown page and a hand-written SVG
// chart (latency percentiles and goodput against offered load). Nothing here measures.
import { DIRECT_KINDS, DIRECT_P99_TARGET_MS, DIRECT_REQUESTS, DIRECT_TARGETS, type DirectKind, type DirectReport, type DirectRow } from "./direct.mjs";
import type { RedisMemory, PostgresFigures } from "./measure.mjs";
import type { LoadResult, PhaseResult } from "./spec.mjs";

export interface ScenarioReport {
  name: string;
  result: LoadResult;
  appCpuMsPerRequest: number;
  gatewayCpuMsPerRequest: number;
  note?: string;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  instances: number;
  connections: number;
  machine: string;
  // The machine's load average (1 min) as the bench started: other work makes every figure lower.
  loadBefore?: string;
  products?: number;
  seconds?: number;
  scenarios: ScenarioReport[];
  // The direct set (one instance, plain HTTP, against the floor app), when it ran.
  direct?: DirectReport;
  live?: { sessions: number; memory: RedisMemory; bytesPerSession: number; cartCacheHitRatio: number | null; postgres: PostgresFigures };
  ladder?: LoadResult;
  failover?: { result: LoadResult; killedAt: number; failuresAfterKill: number; answeredAgainAfterMs: number };
  costs?: Record<string, { redis: number; pgTransactions: number }>;
}

interface Row {
  name: string;
  phase: PhaseResult;
  cpu?: number;
}

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const s of report.scenarios) {
    if (s.result.phases.length === 1) out.push({ name: s.name, phase: s.result.phases[0]!, cpu: s.appCpuMsPerRequest });
    else for (const p of s.result.phases) out.push({ name: `${s.name} @${p.name}`, phase: p });
  }
  if (report.failover) out.push({ name: "failover (1 of 2 killed)", phase: report.failover.result.phases[0]! });
  return out;
}

const floorRps = (report: BenchReport) => report.scenarios.find((s) => s.name === "floor")?.result.phases[0]?.goodput ?? 0;
const ratio = (rps: number, floor: number) => (floor > 0 ? (rps / floor).toFixed(2) : "–");

const HEADER = ["scenario", "conns", "req/s", "goodput/s", "×floor", "p50 ms", "p99 ms", "max ms", "errors", "shed", "app CPU ms/req", "new conns", "client lag p99 ms", "gateway p99 ms"];

function cells(row: Row, floor: number): string[] {
  const p = row.phase;
  return [row.name, String(p.connections), String(p.rps), String(p.goodput), ratio(p.goodput, floor), String(p.p50), String(p.p99), String(p.max), String(p.errors), String(p.shed), row.cpu === undefined ? "" : String(row.cpu), String(p.opened ?? ""), String(p.clientLagP99 ?? ""), p.gateway ? String(p.gateway.p99) : ""];
}

function aligned(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...body.map(line)].join("\n");
}

// The direct set first (when it ran), then the gateway's scenarios.
export function renderTable(report: BenchReport): string {
  const tables: string[] = [];
  if (report.direct) tables.push(aligned(DIRECT_HEADER, directCells(report.direct)));
  const gateway = rows(report);
  if (gateway.length > 0) {
    const floor = floorRps(report);
    tables.push(aligned(HEADER, gateway.map((r) => cells(r, floor))));
  }
  return tables.join("\n\n");
}

// ---- The direct set: per round, then each kind's summary over the rounds.

export interface DirectSummary {
  kind: DirectKind;
  rows: DirectRow[];
  // Goodput over the floor's around it (DirectRow.floor), each round and their mean (null: no
  // floor figure); CPU per request over the floor app's around it likewise.
  ratios: (number | null)[];
  meanRatio: number | null;
  goodput: number;
  rps: number;
  // The worst round's.
  p50: number;
  p99: number;
  max: number;
  errors: number;
  shed: number;
  cpuMsPerRequest: number;
  cpuOverFloor: number | null;
  target?: number;
  // Undefined where there is no target (the floor itself).
  met?: boolean;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const two = (n: number) => Math.round(n * 100) / 100;
// A row's goodput or CPU per request over the floor phases around it: 1 for the floor's own rows,
// null without a floor figure.
function overFloor(r: DirectRow, of: "goodput" | "cpuMsPerRequest"): number | null {
  if (r.kind === "floor") return 1;
  const floor = r.floor?.[of] ?? 0;
  return floor > 0 ? (of === "goodput" ? r.phase.goodput : r.cpuMsPerRequest) / floor : null;
}

export function directSummaries(direct: DirectReport): DirectSummary[] {
  return DIRECT_KINDS.flatMap((kind) => {
    const rows = direct.rows.filter((r) => r.kind === kind);
    if (rows.length === 0) return [];
    const ratios = rows.map((r) => overFloor(r, "goodput"));
    const known = ratios.filter((r): r is number => r !== null);
    const meanRatio = known.length ? mean(known) : null;
    const cpuRatios = rows.map((r) => overFloor(r, "cpuMsPerRequest")).filter((r): r is number => r !== null);
    const p99 = Math.max(...rows.map((r) => r.phase.p99));
    const cpu = mean(rows.map((r) => r.cpuMsPerRequest));
    const target = DIRECT_TARGETS[kind];
    return [
      {
        kind,
        rows,
        ratios,
        meanRatio,
        goodput: Math.round(mean(rows.map((r) => r.phase.goodput)) * 10) / 10,
        rps: Math.round(mean(rows.map((r) => r.phase.rps)) * 10) / 10,
        p50: Math.max(...rows.map((r) => r.phase.p50)),
        p99,
        max: Math.max(...rows.map((r) => r.phase.max)),
        errors: rows.reduce((n, r) => n + r.phase.errors, 0),
        shed: rows.reduce((n, r) => n + r.phase.shed, 0),
        cpuMsPerRequest: two(cpu),
        cpuOverFloor: cpuRatios.length ? mean(cpuRatios) : null,
        target,
        met: target === undefined ? undefined : meanRatio !== null && meanRatio >= target && p99 <= DIRECT_P99_TARGET_MS,
      },
    ];
  });
}

const pingMissing = (direct: DirectReport) => !direct.rows.some((r) => r.kind === "ping");
const pingMissingText = (direct: DirectReport) => `not available (GET /api/ping answered ${direct.pingStatus || "nothing"})`;
const fixed = (n: number | null) => (n === null ? "–" : n.toFixed(2));

function targetText(s: DirectSummary): string {
  if (s.target === undefined) return "";
  return `≥ ${s.target.toFixed(2)}×, p99 ≤ ${DIRECT_P99_TARGET_MS}: ${s.met ? "met" : "not met"}`;
}

const DIRECT_HEADER = ["scenario", "round", "conns", "req/s", "goodput/s", "×floor", "p50 ms", "p99 ms", "max ms", "errors", "shed", "app CPU ms/req", "CPU ×floor", "client lag p99 ms", "target"];

function directCells(direct: DirectReport): string[][] {
  const summaries = directSummaries(direct);
  const out: string[][] = [];
  const blank = (name: string, text: string) => [name, "–", ...Array<string>(DIRECT_HEADER.length - 3).fill(""), text];
  // In the order run.
  for (const row of direct.rows) {
    const p = row.phase;
    out.push([`direct ${row.kind}`, String(row.round), String(p.connections), String(p.rps), String(p.goodput), fixed(overFloor(row, "goodput")), String(p.p50), String(p.p99), String(p.max), String(p.errors), String(p.shed), String(row.cpuMsPerRequest), fixed(overFloor(row, "cpuMsPerRequest")), String(p.clientLagP99), ""]);
  }
  for (const s of summaries) {
    out.push([`direct ${s.kind}`, "mean", String(direct.connections), String(s.rps), String(s.goodput), fixed(s.meanRatio), String(s.p50), String(s.p99), String(s.max), String(s.errors), String(s.shed), String(s.cpuMsPerRequest), fixed(s.cpuOverFloor), "", targetText(s)]);
  }
  if (pingMissing(direct)) out.push(blank("direct ping", pingMissingText(direct)));
  return out;
}

// The direct section of a results page.
function directMarkdown(report: BenchReport): string[] {
  const direct = report.direct!;
  const summaries = directSummaries(direct);
  const md: string[] = ["## Direct to one instance", ""];
  md.push(
    `One \`next start\` of the demo (production build, plain HTTP on 127.0.0.1, \`LOG_LEVEL\` unset so its default applies, Postgres + Redis over TCP, rate limits off) ` +
      `and one of the minimal floor app (\`bench/floor-app\`: one route handler returning fixed JSON, same node_modules), no gateway. ` +
      `${direct.rounds} round(s), each running ${DIRECT_KINDS.filter((k) => k !== "floor").map((k) => `\`${k}\``).join(", ")} in turn with \`floor\` just before and just after each, for ${direct.seconds} s at ${direct.connections} keep-alive connections (closed loop, all connected at once), after a warm-up of each. ` +
      `×floor: goodput (2xx/s) over the mean of the floor app's in the two phases around it (CPU ×floor likewise), so a machine whose speed drifts during a round weighs on both sides alike. The p99 and p50 given for the whole run are the worst round's. ` +
      `Requests: ${DIRECT_KINDS.map((k) => `\`${k}\` ${DIRECT_REQUESTS[k]}`).join("; ")} (\`read\`: each connection's own session with one line; \`add\`: quantity 1 of a random product still sold, a fresh session per scenario run).`,
    "",
  );
  if (direct.cpuProfiles) md.push(`**CPU-profiled run** (\`--cpu-prof\`): the profiler's overhead is in the demo's figures. Profiles: ${direct.cpuProfiles.map((f) => `\`${f}\``).join(", ") || "none written"}.`, "");
  md.push("| scenario | request | ×floor (mean) | ×floor per round | goodput/s | p50 ms | p99 ms | errors | shed | app CPU ms/req | CPU ×floor | target | |", "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  for (const s of summaries) {
    md.push(
      `| ${s.kind} | \`${DIRECT_REQUESTS[s.kind]}\` | ${s.kind === "floor" ? "1" : `**${fixed(s.meanRatio)}**`} | ${s.kind === "floor" ? "" : s.ratios.map(fixed).join(", ")} | ${s.goodput} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.shed} | ${s.cpuMsPerRequest} | ${fixed(s.cpuOverFloor)} | ${s.target === undefined ? "" : `≥ ${s.target.toFixed(2)}×, p99 ≤ ${DIRECT_P99_TARGET_MS} ms`} | ${s.met === undefined ? "" : s.met ? "met" : "**not met**"} |`,
    );
  }
  if (pingMissing(direct)) md.push(`| ping | \`${DIRECT_REQUESTS.ping}\` | ${pingMissingText(direct)} | | | | | | | | | ≥ ${DIRECT_TARGETS.ping!.toFixed(2)}× | |`);
  md.push("", `Round by round (in the order run):`, "");
  md.push(`| ${DIRECT_HEADER.slice(0, -1).join(" | ")} |`, `| ${DIRECT_HEADER.slice(0, -1).map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
  for (const cells of directCells(direct).filter((c) => /^\d+$/.test(c[1]!))) md.push(`| ${cells.slice(0, -1).join(" | ")} |`);
  md.push("", `The demo wrote ${direct.logLinesPerRequest} log lines (${direct.logBytesPerRequest} bytes) per request during the rounds, to a file.`, "");
  const odd = direct.rows.filter((r) => Object.keys(r.phase.statusMix).some((k) => !k.startsWith("2")));
  if (odd.length) {
    md.push("Answers other than 2xx:", "");
    for (const r of odd) md.push(`- ${r.kind}, round ${r.round}: ${Object.entries(r.phase.statusMix).map(([k, v]) => `${k}×${v}`).join(", ")}`);
    md.push("");
  }
  return md;
}

// The page of a run of the direct set alone.
export function renderDirectMarkdown(report: BenchReport): string {
  const md: string[] = [];
  md.push(`# Bench ${report.date.slice(0, 10)}, direct${report.quick ? " (quick)" : ""}`, "");
  md.push(
    `\`npm run bench -- ${report.quick ? "--quick " : ""}--scenarios direct\` at ${report.date}. ${report.machine}. ${report.loadBefore ?? ""} ` +
      `The load generator, Postgres and Redis share the same cores with both instances: compare ratios within one run, not absolute figures across runs. Whole run: ${report.seconds ?? "?"} s.`,
    "",
  );
  md.push(...directMarkdown(report));
  return md.join("\n");
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export function renderMarkdown(report: BenchReport, svgName: string): string {
  const floor = floorRps(report);
  const md: string[] = [];
  md.push(`# Bench ${report.date.slice(0, 10)}${report.quick ? " (quick)" : ""}`, "");
  // The direct set ran first; the gateway's scenarios follow under their own heading.
  if (report.direct) md.push(`${report.machine}. ${report.loadBefore ?? ""}`, "", ...directMarkdown(report), "## Through the gateway", "");
  md.push(
    `\`npm run bench${report.quick ? " -- --quick" : ""}\` at ${report.date}: ${report.instances} instance(s) behind the nginx gateway (\`npm run stack\`), ` +
      `Postgres + Redis over TCP, ${report.connections} connections unless said, closed loop from a separate load-generator process, ` +
      `rate limits off (all load comes from one address). ${report.machine}. ${report.loadBefore ?? ""} ` +
      `The load generator, nginx, Postgres and Redis share the same cores with the instances: compare ratios within one run, not absolute figures across runs. Whole run: ${report.seconds ?? "?"} s.`,
    "",
  );
  md.push(`| ${HEADER.join(" | ")} |`, `| ${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
  for (const r of rows(report)) md.push(`| ${cells(r, floor).join(" | ")} |`);
  md.push("", `![latency and goodput against offered load](${svgName})`, "");
  md.push("*errors*: answers neither served (2xx/3xx) nor shed (no answer, 5xx other than a shed 503, other refusals; `unanswered`: still open 5 s after the scenario ended, then cut off). *shed*: 503/429 with `Retry-After`. *goodput*: 2xx/3xx per second. *app CPU*: user+system CPU of the instances (from /proc) per request answered.", "");
  const statusLines = rows(report).filter((r) => Object.keys(r.phase.statusMix).some((k) => !k.startsWith("2")));
  if (statusLines.length) {
    md.push("## Status mix", "");
    for (const r of statusLines) md.push(`- ${r.name}: ${Object.entries(r.phase.statusMix).map(([k, v]) => `${k}×${v}`).join(", ")}`);
    md.push("");
  }
  const spike = report.scenarios.find((s) => s.name === "spike");
  if (spike) {
    const [before, during] = spike.result.phases;
    md.push("## Spike", "");
    md.push(`Shed virtual users wait \`Retry-After\` (at most 1 s) and retry. Goodput at ${during?.name ?? "the peak"} connections vs 16: **${before && during && before.goodput > 0 ? (during.goodput / before.goodput).toFixed(2) : "–"}×** (target ≥ 0.8). p99 per phase at the client: ${spike.result.phases.map((p) => `${p.name}: ${p.p99} ms`).join(", ")} (target ≤ 150 ms); the load generator's own event-loop delay (p99) in each: ${spike.result.phases.map((p) => `${p.clientLagP99} ms`).join(", ")}.`, "");
    md.push(`At the gateway (nginx's \`$request_time\`: first byte read to last byte sent, without the load generator's delays), p99 per phase, served / shed: ${spike.result.phases.map((p) => (p.gateway ? `${p.name}: ${p.gateway.servedP99} / ${p.gateway.shedP99} ms` : `${p.name}: –`)).join(", ")}.`, "");
  }
  if (report.live) {
    const l = report.live;
    md.push(`## Live sessions (${l.sessions})`, "");
    md.push(`- Redis: **${l.bytesPerSession} B per live session** (its \`sess\` record plus its cached cart, \`ccart\`, MEMORY USAGE; target ≤ 600); this run's ${l.memory.keys} keys, ${kib(l.memory.bytes)} by MEMORY USAGE; by kind: ${Object.entries(l.memory.byKind).map(([k, v]) => `\`${k}\` ${v.keys} keys × ${v.bytesPerKey} B`).join(", ")}.`);
    md.push(`- Cart cache hit ratio during the live mix: ${l.cartCacheHitRatio === null ? "–" : (l.cartCacheHitRatio * 100).toFixed(1) + " %"}; Postgres buffer cache hit ratio: ${(l.postgres.cacheHitRatio * 100).toFixed(2)} %.`);
    md.push("", "| table | rows | table | indexes |", "| --- | ---: | ---: | ---: |");
    for (const t of l.postgres.tables) md.push(`| ${t.name} | ${t.rows} | ${kib(t.tableBytes)} | ${kib(t.indexBytes)} |`);
    md.push("");
  }
  if (report.failover) {
    const f = report.failover;
    md.push("## Failover", "");
    md.push(
      `Two instances under 70 % reads / 30 % adds (16 connections, each its own session); instance 2 killed with SIGKILL a third of the way in. ` +
        `Acknowledged adds: ${f.result.verify?.acknowledged ?? "?"}, **lost: ${f.result.verify?.lost ?? "?"}** (checked by reading every cart afterwards). ` +
        `Failed answers after the kill: ${f.failuresAfterKill}; every request answered again ${f.answeredAgainAfterMs} ms after the kill (target ≤ 2,000).`,
      "",
    );
  }
  if (report.costs) {
    md.push("## Per-request costs", "", "Sequential requests of each kind through the gateway: Redis commands naming this run's keys (MONITOR), Postgres transactions (including single statements) in this run's database (pg_stat_database).", "");
    md.push("| request | Redis commands | Postgres transactions |", "| --- | ---: | ---: |");
    for (const [kind, c] of Object.entries(report.costs)) md.push(`| ${kind} | ${c.redis} | ${c.pgTransactions} |`);
    md.push("");
  }
  return md.join("\n");
}

// Points of latency and goodput against connections: the ladder's steps, else the spike's phases.
function chartPoints(report: BenchReport): PhaseResult[] {
  const source = report.ladder ?? report.scenarios.find((s) => s.name === "spike")?.result;
  return source?.phases.slice().sort((a, b) => a.connections - b.connections) ?? [];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function renderSvg(report: BenchReport): string {
  const points = chartPoints(report);
  const [w, h, left, right, top, bottom] = [720, 360, 60, 60, 40, 50];
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  const maxConn = Math.max(1000, ...points.map((p) => p.connections));
  const x = (c: number) => left + (Math.log10(c) / Math.log10(maxConn)) * plotW;
  const maxMs = Math.max(150, ...points.map((p) => p.p99)) * 1.1;
  const maxGood = Math.max(1, ...points.map((p) => p.goodput)) * 1.1;
  const yMs = (ms: number) => top + plotH - (ms / maxMs) * plotH;
  const yGood = (g: number) => top + plotH - (g / maxGood) * plotH;
  const line = (f: (p: PhaseResult) => number, y: (v: number) => number) => points.map((p) => `${x(p.connections).toFixed(1)},${y(f(p)).toFixed(1)}`).join(" ");
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`);
  svg.push(`<rect width="${w}" height="${h}" fill="#fff"/>`);
  svg.push(`<text x="${left}" y="20" font-size="14">${esc(`Latency and goodput against offered load (${report.date.slice(0, 10)}${report.quick ? ", quick" : ""}, ${report.instances} instance(s), retry after shed)`)}</text>`);
  svg.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>`);
  svg.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`);
  svg.push(`<line x1="${left + plotW}" y1="${top}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>`);
  for (const c of [10, 16, 64, 100, 256, 1000].filter((c) => c <= maxConn)) {
    svg.push(`<line x1="${x(c)}" y1="${top + plotH}" x2="${x(c)}" y2="${top + plotH + 4}" stroke="#333"/><text x="${x(c)}" y="${top + plotH + 16}" text-anchor="middle">${c}</text>`);
  }
  svg.push(`<text x="${left + plotW / 2}" y="${h - 12}" text-anchor="middle">connections (closed loop, log scale)</text>`);
  for (let i = 0; i <= 4; i++) {
    const ms = (maxMs / 4) * i;
    const g = (maxGood / 4) * i;
    svg.push(`<text x="${left - 6}" y="${yMs(ms) + 4}" text-anchor="end">${Math.round(ms)}</text>`);
    svg.push(`<text x="${left + plotW + 6}" y="${yGood(g) + 4}">${Math.round(g)}</text>`);
    svg.push(`<line x1="${left}" y1="${yMs(ms)}" x2="${left + plotW}" y2="${yMs(ms)}" stroke="#eee"/>`);
  }
  svg.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">latency ms</text>`);
  svg.push(`<text transform="translate(${w - 14} ${top + plotH / 2}) rotate(90)" text-anchor="middle">goodput (2xx/s)</text>`);
  svg.push(`<line x1="${left}" y1="${yMs(150)}" x2="${left + plotW}" y2="${yMs(150)}" stroke="#c00" stroke-dasharray="4 4"/><text x="${left + 4}" y="${yMs(150) - 4}" fill="#c00">150 ms target</text>`);
  const series: [string, string, (p: PhaseResult) => number, (v: number) => number][] = [
    ["p50", "#1f77b4", (p) => p.p50, yMs],
    ["p99", "#d62728", (p) => p.p99, yMs],
    ["goodput", "#2ca02c", (p) => p.goodput, yGood],
  ];
  series.forEach(([name, colour, f, y], i) => {
    if (points.length > 0) svg.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${line(f, y)}"/>`);
    for (const p of points) svg.push(`<circle cx="${x(p.connections).toFixed(1)}" cy="${y(f(p)).toFixed(1)}" r="3" fill="${colour}"><title>${name} at ${p.connections}: ${f(p)}</title></circle>`);
    svg.push(`<rect x="${left + 10 + i * 90}" y="${top + 6}" width="12" height="4" fill="${colour}"/><text x="${left + 26 + i * 90}" y="${top + 11}">${name}</text>`);
  });
  if (points.length === 0) svg.push(`<text x="${left + 20}" y="${top + 40}">no ladder or spike in this run</text>`);
  svg.push("</svg>");
  return `${svg.join("\n")}\n`;
}
