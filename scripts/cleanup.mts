// npm run jobs:cleanup [-- --dry-run] [-- --json]
//
// Runs the cleanup (lib/jobs/cleanup.ts) once against DATABASE_URL, or the
// embedded PGlite default under DATA_DIR when it is unset. Progress as it
// goes: a bar on a terminal, one counted line per batch otherwise; then a
// summary per kind of row. `--dry-run` counts without deleting; `--json`
// ends with the result as one JSON line. Exit code 0 when done, 2 when the
// time budget (CLEANUP_BUDGET_MS) ran out first (run it again to go on),
// 1 on failure.
import { ConfigError, env } from "@/lib/config/env";
import { CLEANUP_KINDS, countCleanup, runCleanup, type CleanupCounts, type CleanupProgress } from "@/lib/jobs/cleanup";
import { closeDatabase, DatabaseInUseError } from "@/lib/storage/database";
import { createCart, memoryCatalog, tuningFromEnv } from "@/lib/server";

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !["--dry-run", "--json"].includes(a));
if (unknown.length > 0) {
  process.stderr.write(`unknown option ${unknown.join(", ")}\nusage: npm run jobs:cleanup [-- --dry-run] [-- --json]\n`);
  process.exit(1);
}
const dryRun = args.has("--dry-run");
const json = args.has("--json");
const tty = Boolean(process.stdout.isTTY);
const out = (line: string) => process.stdout.write(`${line}\n`);
const sum = (counts: CleanupCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

function bar(done: number, total: number): string {
  const width = 30;
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

// By name, not instanceof: tsx may load a module once for this ESM entry and once more for
// the CommonJS modules that import it, and each copy has its own classes.
const is = <T extends Error>(err: unknown, type: new (...args: never[]) => T): err is T => err instanceof Error && err.name === type.name;

function explain(err: unknown): string {
  if (is(err, ConfigError)) return err.message;
  if (is(err, DatabaseInUseError)) {
    return [
      `cleanup: ${err.message}.`,
      "The app is running on the embedded default (no DATABASE_URL), and the CLI cannot open its database while it does.",
      "Either stop the app first, or let the app clean up itself: its in-process schedule runs the cleanup every",
      "CLEANUP_INTERVAL_SECONDS, and with CRON_SECRET set, POST /api/cron/cleanup runs it now.",
    ].join("\n");
  }
  // Backend error text stays short: no stack, no connection string.
  const message = err instanceof Error ? err.message : String(err);
  return `cleanup failed: ${message.replace(/postgres(ql)?:\/\/\S+/g, "<DATABASE_URL>")}`;
}

// The job runs as an instance of the module made from the environment, as the app's is (no catalog: the cleanup reads none).
let instance: ReturnType<typeof createCart> | undefined;

async function main(): Promise<number> {
  // The app's own info lines (database ready, …) are noise here; LOG_LEVEL still wins.
  process.env.LOG_LEVEL ??= "warn";
  // The CLI's limits and pauses (CLEANUP_BATCH_SIZE, CLEANUP_PAUSE_MS, CLEANUP_BUDGET_MS, …) from variables of their names.
  instance = createCart({ catalog: memoryCatalog([]), tuning: tuningFromEnv(process.env) });
  return instance.runtime.run(clean);
}

async function clean(): Promise<number> {
  const config = env();
  out(`cleanup${dryRun ? " (dry run)" : ""} on ${config.DATABASE_URL ? "DATABASE_URL" : `embedded PGlite in ${config.DATA_DIR}`}: batches of ${config.CLEANUP_BATCH_SIZE}, ${config.CLEANUP_PAUSE_MS} ms apart, budget ${config.CLEANUP_BUDGET_MS} ms`);

  // A terminal gets a bar, for which it needs the total first (one count per kind, by the same indexes).
  const total = tty && !dryRun ? sum(await countCleanup()) : 0;
  let done = 0;
  const onProgress = (p: CleanupProgress) => {
    done += p.deleted + (p.alsoDeleted?.count ?? 0);
    const also = p.alsoDeleted ? ` and ${p.alsoDeleted.count} ${p.alsoDeleted.kind}` : "";
    if (tty) process.stdout.write(`\r${bar(done, total)} ${done}/${total} rows, ${p.batch} batches (${p.kind})   `);
    else out(`batch ${p.batch}: ${p.kind} ${p.deleted}${also} deleted (${p.totals[p.kind]} ${p.kind} so far, ${sum(p.totals)} rows in all)`);
  };

  const result = await runCleanup({ trigger: "cli", dryRun, onProgress });
  if (tty && !dryRun) out("");

  const width = Math.max(...CLEANUP_KINDS.map((k) => k.length));
  out(`${dryRun ? "would delete" : "deleted"} (${result.batches} batches, ${result.durationMs} ms${result.complete ? "" : ", stopped by the time budget: run again to go on"}):`);
  for (const kind of CLEANUP_KINDS) out(`  ${kind.padEnd(width)}  ${result.deleted[kind]}`);
  out(`  ${"total".padEnd(width)}  ${sum(result.deleted)}`);
  if (json) out(JSON.stringify(result));
  return result.complete ? 0 : 2;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`${explain(err)}\n`);
} finally {
  if (instance) await closeDatabase(instance.settings).catch(() => {});
}
process.exit(code);
