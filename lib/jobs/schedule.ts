import { env } from "../config/env";
import { log } from "../log/logger";
import { currentRuntime } from "../runtime/context";
import { sharedValue } from "../runtime/shared";
import { runCleanup } from "./cleanup";

// The in-process schedule: on the embedded default (CLEANUP_SCHEDULE=auto
// without DATABASE_URL) or wherever CLEANUP_SCHEDULE=1. Started whether or
// not the database opened at boot: a tick that cannot reach it logs and
// tries again at the next tick. Each tick is jittered (±20 %) so instances
// started together do not clean together; running twice at once would be
// safe anyway (FOR UPDATE SKIP LOCKED), just wasteful.
// One schedule per instance (its scope) in this process, however often its config is evaluated.
const scheduleOf = () => sharedValue(`cleanup-schedule:${currentRuntime().scope}`, () => ({ timer: undefined as NodeJS.Timeout | undefined, stopped: false }));

// The first run comes within about a minute, so a short-lived dev server still cleans.
const FIRST_RUN_MAX_MS = 60_000;

export function scheduleEnabled(): boolean {
  const config = env();
  return config.CLEANUP_SCHEDULE === "auto" ? !config.DATABASE_URL : config.CLEANUP_SCHEDULE;
}

const jittered = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

export function startCleanupSchedule(): void {
  const schedule = scheduleOf();
  if (schedule.timer || !scheduleEnabled()) return;
  schedule.stopped = false;
  const intervalMs = env().CLEANUP_INTERVAL_SECONDS * 1000;
  const next = (ms: number) => {
    if (schedule.stopped) return;
    schedule.timer = setTimeout(tick, jittered(ms));
    schedule.timer.unref();
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

// Stops this instance's schedule (cart.stop()); a tick in flight finishes.
export function stopCleanupSchedule(): void {
  const schedule = scheduleOf();
  schedule.stopped = true;
  clearTimeout(schedule.timer);
  schedule.timer = undefined;
}
