import type { MetricValue } from "prom-client";
import { registerMetrics, REQUEST_BUCKETS } from "./metrics";
import { registry } from "./registry";
import { currentRuntime } from "../runtime/context";
import { sharedValue } from "../runtime/shared";

// A small ring buffer of snapshots of this instance's registry, taken every
// few seconds, from which the dashboard draws its time series (rates,
// ratios, p50/p99). Per instance, like the registry: behind a balancer each
// instance shows its own traffic. It holds the registry's own readings, not
// a second set of counts.
export const SNAPSHOT_MS = 5_000;
// Kept longer than the 15 minutes drawn, for the guest-session estimate (one idle window).
const KEEP_MS = 30 * 60_000;

export interface Snapshot {
  t: number;
  // Per "METHOD route": cumulative bucket counts (REQUEST_BUCKETS then +Inf) over every status.
  requests: Record<string, number[]>;
  // Counter totals by "name" or "name{label=value}".
  counters: Record<string, number>;
}

const COUNTERS: Record<string, string | null> = {
  cart_cache_lookups_total: "result",
  cart_rejections_total: "reason",
  cart_guest_sessions_recorded_total: null,
  cart_cleanup_runs_total: null,
  cart_merges_total: null,
  cart_recovery_redemptions_total: null,
};

type Reading = { values: (MetricValue<string> & { metricName?: string })[] };

async function read(name: string): Promise<Reading | null> {
  const metric = registry().getSingleMetric(name);
  return metric ? ((await metric.get()) as Reading) : null;
}

export async function takeSnapshot(now = Date.now()): Promise<Snapshot> {
  registerMetrics();
  const requests: Record<string, number[]> = {};
  const histogram = await read("http_request_duration_seconds");
  for (const v of histogram?.values ?? []) {
    if (v.metricName !== "http_request_duration_seconds_bucket") continue;
    const key = `${v.labels.method} ${v.labels.route}`;
    const le = v.labels.le === "+Inf" ? Infinity : Number(v.labels.le);
    const index = le === Infinity ? REQUEST_BUCKETS.length : REQUEST_BUCKETS.indexOf(le);
    const row = (requests[key] ??= Array<number>(REQUEST_BUCKETS.length + 1).fill(0));
    if (index >= 0) row[index]! += v.value;
  }
  const counters: Record<string, number> = {};
  for (const [name, label] of Object.entries(COUNTERS)) {
    for (const v of (await read(name))?.values ?? []) {
      const key = label ? `${name}{${label}=${v.labels[label]}}` : name;
      counters[key] = (counters[key] ?? 0) + v.value;
    }
  }
  return { t: now, requests, counters };
}

type History = { snapshots: Snapshot[]; timer?: NodeJS.Timeout };
// One history per instance (its scope), read from its own registry.
const historyOf = (): History => sharedValue(`history:${currentRuntime().scope}`, () => ({ snapshots: [] }));

async function tick(history: History): Promise<void> {
  const snap = await takeSnapshot();
  history.snapshots.push(snap);
  while (history.snapshots.length > 0 && history.snapshots[0]!.t < snap.t - KEEP_MS) history.snapshots.shift();
}

// Starts the snapshots (once per process); the first is taken at once.
export function startHistory(): void {
  const history = historyOf();
  if (history.timer) return;
  history.timer = setInterval(() => void tick(history).catch(() => {}), SNAPSHOT_MS);
  history.timer.unref();
  void tick(history).catch(() => {});
}

// The kept snapshots, oldest first, plus one taken now (not kept), so a reader always sees the present.
export async function snapshots(): Promise<Snapshot[]> {
  startHistory();
  const history = historyOf();
  return [...history.snapshots, await takeSnapshot()];
}

// The q-quantile of a histogram's bucket counts (cumulative), interpolated
// linearly within the bucket as Prometheus's histogram_quantile does; null
// with no observations. Past the last finite bound it answers that bound.
export function quantile(q: number, cumulative: readonly number[], bounds: readonly number[] = REQUEST_BUCKETS): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i += 1) {
    if (cumulative[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const below = i === 0 ? 0 : cumulative[i - 1]!;
      const inBucket = cumulative[i]! - below;
      return inBucket === 0 ? lower : lower + (bounds[i]! - lower) * ((rank - below) / inBucket);
    }
  }
  return bounds[bounds.length - 1]!;
}

export function diff(later: readonly number[] | undefined, earlier: readonly number[] | undefined): number[] {
  if (!later) return [];
  return later.map((v, i) => v - (earlier?.[i] ?? 0));
}
