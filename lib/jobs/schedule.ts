import { env } from "../config/env";
import { log } from "../log/logger";
import { runCleanup } from "./cleanup";

// The in-process schedule: on the embedded default (CLEANUP_SCHEDULE=auto
// without DATABASE_URL) or wherever CLEANUP_SCHEDULE=1. Started whether or
// not the database opened at boot: a tick that cannot reach it logs and
// tries again at the next tick. Each tick is jittered (±20 %) so instances
// started together do not clean together; running twice at once would be
// safe anyway (FOR UPDATE SKIP LOCKED), just wasteful.
const globalForSchedule = globalThis as unknown as { __cleanupSchedule?: NodeJS.Timeout };

// The first run comes within about a minute, so a short-lived dev server still cleans.
const FIRST_RUN_MAX_MS = 60_000;

export function scheduleEnabled(): boolean {
  const config = env();
  return config.CLEANUP_SCHEDULE === "auto" ? !config.DATABASE_URL : config.CLEANUP_SCHEDULE;
}

const jittered = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

export function startCleanupSchedule(): void {
  if (globalForSchedule.__cleanupSchedule || !scheduleEnabled()) return;
  const intervalMs = env().CLEANUP_INTERVAL_SECONDS * 1000;
  const next = (ms: number) => {
    globalForSchedule.__cleanupSchedule = setTimeout(tick, jittered(ms));
    globalForSchedule.__cleanupSchedule.unref();
  };
  const tick = async () => {
    try {
      await runCleanup({ trigger: "schedule" });
    } catch (err) {
      log.warn("scheduled cleanup failed; trying again at the next tick", { err });
    } finally {
      next(intervalMs);
    }
  };
  next(Math.min(intervalMs, FIRST_RUN_MAX_MS));
}
