import { lastRuns, runCleanup as runCleanupJob, type CleanupRun as JobRun } from "../jobs/cleanup";

// What the dashboard shows of the cleanup job (lib/jobs/cleanup.ts): its recorded
// runs (the cleanup_runs table, shared by every instance) and a run started now.
// The job itself counts every run in the metrics, whatever started it.
export interface CleanupRun {
  startedAt: string;
  durationMs: number;
  trigger: string;
  ok: boolean;
  // Rows removed by kind.
  removed: Record<string, number>;
}

const shown = (run: Pick<JobRun, "startedAt" | "durationMs" | "trigger" | "deleted"> & { error?: string | null }): CleanupRun => ({
  startedAt: run.startedAt,
  durationMs: run.durationMs,
  trigger: run.trigger,
  ok: !run.error,
  removed: run.deleted,
});

export async function runCleanup(trigger: "admin"): Promise<CleanupRun> {
  return shown(await runCleanupJob({ trigger }));
}

// Newest first.
export async function lastCleanupRuns(limit = 20): Promise<CleanupRun[]> {
  return (await lastRuns(limit)).filter((run) => !run.dryRun).map(shown);
}
