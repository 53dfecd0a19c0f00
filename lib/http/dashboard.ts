import { and, count, eq, gte, isNull, sql } from "drizzle-orm";
import { carts, recoveryRedemptions, userSessions } from "../../db/schema";
import { env } from "../config/env";
import { db } from "../storage/database";
import { eventStats, type EventStats } from "../events/stats";
import { currentRuntime } from "../runtime/context";
import { lastCleanupRuns, type CleanupRun } from "./cleanup-runs";
import { diff, quantile, SNAPSHOT_MS, snapshots, type Snapshot } from "../observe/history";

// What /admin draws, read from the two sources of truth and nothing else:
// the database (sessions, carts, merges and recoveries today) and this
// instance's metrics registry through its snapshots (latency, cache hits,
// rejections, guest sessions).
const WINDOW_MS = 15 * 60_000;
// Each latency point is the p50/p99 of the minute before it.
const LATENCY_STEP_MS = 60_000;
const MAX_ROUTES = 8;

export const AGE_BUCKETS = ["< 1 h", "1–24 h", "1–7 d", "7–30 d", "≥ 30 d"] as const;

export interface DashboardStats {
  generatedAt: string;
  instance: { pid: number; snapshotSeconds: number };
  sessions: { signedIn: number; guestsApprox: number; guestWindowSeconds: number };
  carts: { byStatus: Record<string, number>; ageBuckets: readonly string[]; byAge: { guest: number[]; user: number[] } };
  today: { merges: number; recoveries: number };
  // Unix seconds of each point.
  times: number[];
  latency: { route: string; requests: number; p50: number | null; p99: number | null; p50Series: (number | null)[]; p99Series: (number | null)[] }[];
  cacheHitRatio: (number | null)[];
  rejections: { rateLimit: number[]; overload: number[] };
  cleanup: CleanupRun[];
  // The cart-event outbox (lib/events): waiting, failing (retrying), delivered and given up.
  events: EventStats;
}

const utcMidnight = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

async function fromDatabase(now: Date) {
  const database = await db();
  const config = env();
  const age = (from: string, to: string | null) =>
    sql<number>`(count(*) filter (where ${carts.updatedAt} <= now() - ${from}::interval${to ? sql` and ${carts.updatedAt} > now() - ${to}::interval` : sql``}))::int`;
  const [signedIn, byStatus, byAge, merges, recoveries] = await Promise.all([
    // Live signed-in sessions: not revoked and within the absolute lifetime (an idle-expired one counts until then).
    database
      .select({ n: count() })
      .from(userSessions)
      .where(and(isNull(userSessions.revokedAt), gte(userSessions.createdAt, new Date(now.getTime() - config.USER_SESSION_ABSOLUTE_SECONDS * 1000)))),
    database.select({ status: carts.status, n: count() }).from(carts).groupBy(carts.status),
    database
      .select({
        guest: sql<boolean>`${carts.userId} is null`,
        b0: age("0 seconds", "1 hour"),
        b1: age("1 hour", "1 day"),
        b2: age("1 day", "7 days"),
        b3: age("7 days", "30 days"),
        b4: age("30 days", null),
      })
      .from(carts)
      .where(eq(carts.status, "active"))
      .groupBy(sql`${carts.userId} is null`),
    database
      .select({ n: count() })
      .from(carts)
      .where(and(eq(carts.status, "merged"), gte(carts.updatedAt, utcMidnight(now)))),
    database.select({ n: count() }).from(recoveryRedemptions).where(gte(recoveryRedemptions.redeemedAt, utcMidnight(now))),
  ]);
  const ages = (guest: boolean) => {
    const row = byAge.find((r) => Boolean(r.guest) === guest);
    return row ? [row.b0, row.b1, row.b2, row.b3, row.b4].map(Number) : [0, 0, 0, 0, 0];
  };
  return {
    signedIn: Number(signedIn[0]?.n ?? 0),
    byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    byAge: { guest: ages(true), user: ages(false) },
    merges: Number(merges[0]?.n ?? 0),
    recoveries: Number(recoveries[0]?.n ?? 0),
  };
}

// The last snapshot at or before `t`, else the oldest.
function atOrBefore(snaps: Snapshot[], t: number): Snapshot {
  let found = snaps[0]!;
  for (const s of snaps) {
    if (s.t > t) break;
    found = s;
  }
  return found;
}

const counterDelta = (later: Snapshot, earlier: Snapshot | undefined, key: string) => (later.counters[key] ?? 0) - (earlier?.counters[key] ?? 0);

function fromMetrics(snaps: Snapshot[], now: number) {
  const start = now - WINDOW_MS;
  const shown = snaps.filter((s) => s.t >= start);
  const first = atOrBefore(snaps, start);
  const last = snaps[snaps.length - 1]!;
  const previous = (i: number) => (i > 0 ? shown[i - 1] : snaps[snaps.indexOf(shown[0]!) - 1]);

  const routes = Object.keys(last.requests)
    .map((route) => ({ route, window: diff(last.requests[route], first === last ? undefined : first.requests[route]) }))
    .map((r) => ({ ...r, requests: r.window[r.window.length - 1] ?? 0 }))
    .filter((r) => r.requests > 0)
    .sort((a, b) => b.requests - a.requests)
    .slice(0, MAX_ROUTES);

  const latency = routes.map(({ route, window, requests }) => {
    const series = shown.map((s) => {
      const before = atOrBefore(snaps, s.t - LATENCY_STEP_MS);
      return diff(s.requests[route], before === s ? undefined : before.requests[route]);
    });
    return {
      route,
      requests,
      p50: quantile(0.5, window),
      p99: quantile(0.99, window),
      p50Series: series.map((b) => quantile(0.5, b)),
      p99Series: series.map((b) => quantile(0.99, b)),
    };
  });

  const cacheHitRatio = shown.map((s, i) => {
    const hits = counterDelta(s, previous(i), "cart_cache_lookups_total{result=hit}");
    const misses = counterDelta(s, previous(i), "cart_cache_lookups_total{result=miss}");
    return hits + misses > 0 ? hits / (hits + misses) : null;
  });
  const rejections = {
    rateLimit: shown.map((s, i) => counterDelta(s, previous(i), "cart_rejections_total{reason=rate_limit}")),
    overload: shown.map((s, i) => counterDelta(s, previous(i), "cart_rejections_total{reason=overload}")),
  };

  // Guests with a live record ≈ guest records first written within one idle window (they cannot
  // have expired yet). A lower bound: older guests still active are not counted, nor other instances'.
  // Younger than one window, this process counted them all since it started.
  const idleMs = env().GUEST_SESSION_IDLE_SECONDS * 1000;
  const young = now - snaps[0]!.t < idleMs;
  const guestsApprox = young
    ? (last.counters.cart_guest_sessions_recorded_total ?? 0)
    : counterDelta(last, atOrBefore(snaps, now - idleMs), "cart_guest_sessions_recorded_total");

  return {
    times: shown.map((s) => Math.round(s.t / 1000)),
    latency,
    cacheHitRatio,
    rejections,
    guestsApprox,
    guestWindowSeconds: Math.round(idleMs / 1000),
  };
}

export async function dashboardStats(now = new Date()): Promise<DashboardStats> {
  const [database, snaps, events] = await Promise.all([fromDatabase(now), snapshots(), eventStats(currentRuntime())]);
  const metrics = fromMetrics(snaps, snaps[snaps.length - 1]!.t);
  return {
    generatedAt: now.toISOString(),
    instance: { pid: process.pid, snapshotSeconds: SNAPSHOT_MS / 1000 },
    sessions: { signedIn: database.signedIn, guestsApprox: metrics.guestsApprox, guestWindowSeconds: metrics.guestWindowSeconds },
    carts: { byStatus: database.byStatus, ageBuckets: AGE_BUCKETS, byAge: database.byAge },
    today: { merges: database.merges, recoveries: database.recoveries },
    times: metrics.times,
    latency: metrics.latency,
    cacheHitRatio: metrics.cacheHitRatio,
    rejections: metrics.rejections,
    cleanup: await lastCleanupRuns(),
    events,
  };
}
