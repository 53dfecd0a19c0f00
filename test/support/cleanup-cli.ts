import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { CleanupCounts } from "@/lib/jobs/cleanup";

/**
 * Runs the cleanup CLI (scripts/cleanup.mts, as `npm run jobs:cleanup` does) as a real
 * child process with the given environment, its stdout a pipe (not a
 * terminal, so it prints counted batch lines).
 */
export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function spawnCleanup(env: Record<string, string>, args: string[] = []): CliRun {
  // `node --import tsx`, not the tsx binary: that one runs the script in a child process of its
  // own, which a SIGKILL to the parent would leave running.
  const child = spawn(process.execPath, ["--import", "tsx", path.join("scripts", "cleanup.mts"), ...args], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "test", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The `--json` line: the run's result. */
  result: { dryRun: boolean; batches: number; complete: boolean; deleted: CleanupCounts };
}

/** Runs the CLI to the end with `--json` and parses its result line. */
export async function runCleanupCli(env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  const run = spawnCleanup(env, ["--json", ...args]);
  const code = await run.exited;
  const last = run.stdout().trim().split("\n").at(-1) ?? "";
  let result: CliResult["result"];
  try {
    result = JSON.parse(last);
  } catch {
    throw new Error(`cleanup CLI exited ${code} without a result:\n${run.stdout()}\n${run.stderr()}`);
  }
  return { code, stdout: run.stdout(), stderr: run.stderr(), result };
}
