"use client";

import { useCallback, useEffect, useState, useTransition } from "react";
import type { CleanupActionResult, DashboardStats } from "next-cart/server";
import { Chart } from "./chart";

const POLL_MS = 5_000;
const COLORS = ["#1f3a34", "#c2410c", "#2563eb", "#7c3aed", "#0f766e", "#b45309", "#be123c", "#4d7c0f"];

const seconds = (s: number | null) => (s === null ? null : s * 1000);
const clock = (iso: string) => new Date(iso).toISOString().slice(11, 19);

// Polls /api/admin/stats and draws it; the cleanup button is a server action.
export function AdminDashboard({ runCleanup }: { runCleanup: () => Promise<CleanupActionResult> }) {
  const [stats, setStats] = useState<DashboardStats | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [cleanupMessage, setCleanupMessage] = useState<string | null>(null);
  const [running, startRunning] = useTransition();

  const load = useCallback(async () => {
    try {
      const res = await fetch("/api/admin/stats", { cache: "no-store", credentials: "same-origin" });
      if (!res.ok) throw new Error(res.status === 404 ? "You are no longer signed in as an admin." : `The stats answered ${res.status}.`);
      setStats((await res.json()) as DashboardStats);
      setProblem(null);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "The stats could not be loaded.");
    }
  }, []);

  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [load]);

  const onRunCleanup = () =>
    startRunning(async () => {
      const result = await runCleanup();
      setCleanupMessage(
        result.ok
          ? `Cleanup done in ${result.run.durationMs} ms: ${Object.entries(result.run.removed)
              .map(([kind, n]) => `${n} ${kind.replace(/_/g, " ")}`)
              .join(", ")} removed.`
          : result.error.message,
      );
      await load();
    });

  if (!stats) return <p className="muted">{problem ?? "Loading…"}</p>;

  const routes = stats.latency.map((l) => l.route);
  const runs = [...stats.cleanup].reverse();

  return (
    <div className="admin-dashboard" data-testid="admin-dashboard">
      {problem ? (
        <p className="alert alert-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="admin-grid">
        <Chart
          title="Now: sessions, carts, merges and recoveries today"
          testId="chart-now"
          bars
          wide
          x={["signed-in sessions", "guest sessions ≈", "active carts", "merged today", "recovered today"]}
          series={[
            {
              label: "count",
              color: COLORS[0]!,
              values: [
                stats.sessions.signedIn,
                stats.sessions.guestsApprox,
                stats.carts.byStatus.active ?? 0,
                stats.today.merges,
                stats.today.recoveries,
              ],
            },
          ]}
        />
        <Chart title="Active guest carts by age" testId="chart-guest-age" bars x={[...stats.carts.ageBuckets]} series={[{ label: "guest carts", color: COLORS[1]!, values: stats.carts.byAge.guest }]} />
        <Chart title="Active user carts by age" testId="chart-user-age" bars x={[...stats.carts.ageBuckets]} series={[{ label: "user carts", color: COLORS[2]!, values: stats.carts.byAge.user }]} />
        <Chart
          key={`p50:${routes.join("|")}`}
          title="p50 latency per route (each point: the minute before it)"
          testId="chart-p50"
          unit="ms"
          x={stats.times}
          series={stats.latency.map((l, i) => ({ label: l.route, color: COLORS[i % COLORS.length]!, values: l.p50Series.map(seconds) }))}
        />
        <Chart
          key={`p99:${routes.join("|")}`}
          title="p99 latency per route (each point: the minute before it)"
          testId="chart-p99"
          unit="ms"
          x={stats.times}
          series={stats.latency.map((l, i) => ({ label: l.route, color: COLORS[i % COLORS.length]!, values: l.p99Series.map(seconds) }))}
        />
        <Chart title="Cart cache hit ratio" testId="chart-cache" unit="%" x={stats.times} series={[{ label: "hits", color: COLORS[4]!, values: stats.cacheHitRatio }]} />
        <Chart
          title={`Sheds and rate-limit rejections (per ${stats.instance.snapshotSeconds} s)`}
          testId="chart-rejections"
          x={stats.times}
          series={[
            { label: "rate limited (429)", color: COLORS[5]!, values: stats.rejections.rateLimit },
            { label: "shed (503)", color: COLORS[6]!, values: stats.rejections.overload },
          ]}
        />
        <Chart
          key={`cleanup:${runs.length}`}
          title="Last cleanup runs on this instance: rows removed"
          testId="chart-cleanup"
          bars
          x={runs.map((r) => clock(r.startedAt))}
          series={[{ label: "rows removed", color: COLORS[7]!, values: runs.map((r) => Object.values(r.removed).reduce((a, b) => a + b, 0)) }]}
        />
        <Chart
          title="Cart events: waiting, failing (retrying), delivered and given up"
          testId="chart-events"
          bars
          x={["waiting", "failing", "delivered", "given up"]}
          series={[{ label: "events", color: COLORS[3]!, values: [stats.events.waiting, stats.events.failing, stats.events.delivered, stats.events.failed] }]}
        />
      </div>
      <div className="admin-actions">
        <button type="button" className="button button-primary" onClick={onRunCleanup} disabled={running} data-testid="run-cleanup">
          {running ? "Running…" : "Run cleanup now"}
        </button>
        {cleanupMessage ? (
          <p className="notice notice-info" role="status" data-testid="cleanup-result">
            {cleanupMessage}
          </p>
        ) : null}
      </div>
    </div>
  );
}
