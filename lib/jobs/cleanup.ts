import { desc, sql, type SQL } from "drizzle-orm";
import { cartsUpdatedBefore, cleanupRuns } from "../../db/schema";
import { IDEMPOTENCY_TTL_SECONDS } from "../cart/idempotency";
import { env, type Env } from "../config/env";
import { log } from "../log/logger";
import { db, type Database } from "../storage/database";
import { store, storeInProcess } from "../storage/store";
import { recordCleanupRun } from "../observe/metrics";
import { pruneDeliveredEvents, recordAbandoned } from "./abandoned";

// The one cleanup: every kind of row that outlived its purpose, removed in
// small batches. Each batch is one statement (its own transaction) that picks
// the oldest matching rows through an index that matches its filter, locks
// them with FOR UPDATE SKIP LOCKED and deletes them by key, so a batch reads
// only what it deletes, never waits for a shopper's transaction, and two runs
// at once share the work instead of colliding. A crash loses at most the
// batch in flight (rolled back); the next run simply goes on. Cutoffs use
// Postgres's clock, like the rest of the module.
//
// The CLI (scripts/cleanup.mts), the cron route (app/api/cron/cleanup) and
// the in-process schedule (./schedule.ts) all call runCleanup.
export const CLEANUP_KINDS = [
  "guestCarts",
  "userCarts",
  "mergedCarts",
  "recoveryLinks",
  "recoveryRedemptions",
  "idempotencyKeys",
  "userSessions",
  "storeEntries",
] as const;
export type CleanupKind = (typeof CLEANUP_KINDS)[number];
export type CleanupCounts = Record<CleanupKind, number>;

export interface CleanupSettings {
  batchSize: number;
  pauseMs: number;
  budgetMs: number;
  guestCartDays: number;
  // null: user carts are kept forever.
  userCartDays: number | null;
  mergedGraceDays: number;
  recoveryLinkHours: number;
  // Revoked sessions are kept this long after sign-out (the rotation grace still reads them).
  revokedSessionGraceSeconds: number;
  sessionAbsoluteSeconds: number;
}

// Past the rotation grace (and a revalidation), a revoked row and a missing row mean the same
// thing to lib/session/user-sessions.ts; five more minutes cover clock skew between instances.
const REVOKED_MARGIN_SECONDS = 300;

export function cleanupSettings(config: Env = env()): CleanupSettings {
  return {
    batchSize: config.CLEANUP_BATCH_SIZE,
    pauseMs: config.CLEANUP_PAUSE_MS,
    budgetMs: config.CLEANUP_BUDGET_MS,
    guestCartDays: config.GUEST_CART_RECOVERY_DAYS,
    userCartDays: config.USER_CART_KEEP_FOREVER ? null : config.USER_CART_RETENTION_DAYS,
    mergedGraceDays: config.CLEANUP_MERGED_GRACE_DAYS,
    recoveryLinkHours: config.RECOVERY_LINK_HOURS,
    revokedSessionGraceSeconds: config.SESSION_ROTATION_GRACE_SECONDS + config.SESSION_REVALIDATE_SECONDS + REVOKED_MARGIN_SECONDS,
    sessionAbsoluteSeconds: config.USER_SESSION_ABSOLUTE_SECONDS,
  };
}

// One batched delete. `batch(n)` deletes at most n rows and selects
// `{ n, also? }` (also: rows of a second kind removed with them); `count`
// selects `{ n, also? }` for a dry run.
export interface CleanupStep {
  kind: CleanupKind;
  // Counted in this kind too (recovery links take their redemptions with them).
  alsoKind?: CleanupKind;
  label: string;
  count: SQL;
  batch(limit: number): SQL;
}

const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;
const secondsAgo = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

// Every delete goes by key (or by ctid, for composite keys: stable within the statement, as
// the rows are locked) through `= any(array(…))`: a lookup per picked row, never a hash join
// that would read the whole table to find a batch's few hundred rows.

// Carts by one partial index's filter (literals, so the planner matches the
// index), oldest bucket first. cart_items and recovery_redemptions cascade.
function cartStep(kind: CleanupKind, label: string, filter: SQL): CleanupStep {
  return {
    kind,
    label,
    count: sql`select count(*)::int as n from cart_carts where ${filter}`,
    batch: (limit) => sql`
      with batch as (
        select id from cart_carts where ${filter}
        order by updated_bucket limit ${limit}
        for update skip locked
      ), gone as (
        delete from cart_carts where id = any(array(select id from batch)) returning 1
      )
      select count(*)::int as n from gone`,
  };
}

// The steps of one run, in order; each kind's filter matches one index (see db/schema.ts).
export function cleanupSteps(settings: CleanupSettings): CleanupStep[] {
  const steps: CleanupStep[] = [
    cartStep(
      "guestCarts",
      "guest carts past their recovery window",
      sql`user_id is null and status = 'active' and ${cartsUpdatedBefore(daysAgo(settings.guestCartDays))}`,
    ),
  ];
  if (settings.userCartDays !== null) {
    steps.push(
      cartStep(
        "userCarts",
        "user carts past their retention",
        sql`user_id is not null and status = 'active' and ${cartsUpdatedBefore(daysAgo(settings.userCartDays))}`,
      ),
    );
  }
  steps.push(
    // Ordered carts (a checkout completed; lib/checkout) too: their owner moved on, the checkout keeps the snapshot.
    cartStep(
      "mergedCarts",
      "merged and ordered carts past the grace period",
      sql`status in ('merged', 'ordered') and ${cartsUpdatedBefore(daysAgo(settings.mergedGraceDays))}`,
    ),
    {
      kind: "recoveryLinks",
      alsoKind: "recoveryRedemptions",
      label: "expired recovery links and their redemptions",
      count: sql`
        select count(*)::int as n,
          (select count(*)::int from cart_recovery_redemptions r join cart_recovery_links l on l.id = r.token_id where l.expires_at < now()) as also
        from cart_recovery_links where expires_at < now()`,
      batch: (limit) => sql`
        with batch as (
          select id from cart_recovery_links where expires_at < now()
          order by expires_at limit ${limit}
          for update skip locked
        ), gone as (
          delete from cart_recovery_links where id = any(array(select id from batch)) returning id
        ), redeemed as (
          delete from cart_recovery_redemptions where token_id = any(array(select id from gone)) returning 1
        )
        select (select count(*)::int from gone) as n, (select count(*)::int from redeemed) as also`,
    },
    {
      // Redemptions whose link is already gone (no link lives longer than RECOVERY_LINK_HOURS).
      // The link is looked up per row (a scalar subquery the planner cannot turn into a join
      // that reads every link), so the scan stops after one batch of old redemptions.
      kind: "recoveryRedemptions",
      label: "redemptions of links already gone",
      count: sql`select count(*)::int as n from cart_recovery_redemptions r where ${orphanRedemption(settings)}`,
      batch: (limit) => sql`
        with batch as (
          select ctid from cart_recovery_redemptions r where ${orphanRedemption(settings)}
          order by redeemed_at limit ${limit}
          for update skip locked
        ), gone as (
          delete from cart_recovery_redemptions where ctid = any(array(select ctid from batch)) returning 1
        )
        select count(*)::int as n from gone`,
    },
    {
      kind: "idempotencyKeys",
      label: "idempotency outcomes past 24 hours",
      count: sql`select count(*)::int as n from cart_idempotency_keys where created_at < ${secondsAgo(IDEMPOTENCY_TTL_SECONDS)}`,
      batch: (limit) => sql`
        with batch as (
          select ctid from cart_idempotency_keys where created_at < ${secondsAgo(IDEMPOTENCY_TTL_SECONDS)}
          order by created_at limit ${limit}
          for update skip locked
        ), gone as (
          delete from cart_idempotency_keys where ctid = any(array(select ctid from batch)) returning 1
        )
        select count(*)::int as n from gone`,
    },
    sessionStep("revoked signed-in sessions", sql`revoked_at is not null and revoked_at < ${secondsAgo(settings.revokedSessionGraceSeconds)}`, "revoked_at"),
    sessionStep("signed-in sessions past their absolute lifetime", sql`created_at < ${secondsAgo(settings.sessionAbsoluteSeconds)}`, "created_at"),
  );
  return steps;
}

function orphanRedemption(settings: CleanupSettings): SQL {
  return sql`r.redeemed_at < ${secondsAgo(settings.recoveryLinkHours * 3600)}
    and (select count(*) from cart_recovery_links l where l.id = r.token_id) = 0`;
}

function sessionStep(label: string, filter: SQL, orderBy: "revoked_at" | "created_at"): CleanupStep {
  return {
    kind: "userSessions",
    label,
    count: sql`select count(*)::int as n from cart_user_sessions where ${filter}`,
    batch: (limit) => sql`
      with batch as (
        select sid from cart_user_sessions where ${filter}
        order by ${sql.raw(orderBy)} limit ${limit}
        for update skip locked
      ), gone as (
        delete from cart_user_sessions where sid = any(array(select sid from batch)) returning 1
      )
      select count(*)::int as n from gone`,
  };
}

export interface CleanupProgress {
  kind: CleanupKind;
  label: string;
  // Batches so far in this run (all kinds).
  batch: number;
  // Rows of `kind` this batch removed.
  deleted: number;
  // Rows of the step's second kind removed with them (a link's redemptions), if any.
  alsoDeleted?: { kind: CleanupKind; count: number };
  totals: CleanupCounts;
}

export interface CleanupOptions {
  trigger: "cli" | "cron" | "schedule" | "admin" | "test";
  dryRun?: boolean;
  settings?: Partial<CleanupSettings>;
  onProgress?: (progress: CleanupProgress) => void;
}

export interface CleanupResult {
  trigger: CleanupOptions["trigger"];
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  // Batches run (0 for a dry run, which counts each kind once).
  batches: number;
  // Rows removed per kind (or, for a dry run, that would be).
  deleted: CleanupCounts;
  // False when the time budget ran out first: the next run goes on where this one stopped.
  complete: boolean;
}

const zeroCounts = (): CleanupCounts => Object.fromEntries(CLEANUP_KINDS.map((k) => [k, 0])) as CleanupCounts;

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

async function execute(database: Database, query: SQL): Promise<{ n: number; also: number }> {
  const [row] = rowsOf<{ n: number | string; also?: number | string | null }>(await database.execute(query));
  return { n: Number(row?.n ?? 0), also: Number(row?.also ?? 0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The in-process store only: Redis and Upstash expire their own keys, so another process
// (the CLI) never opens a store connection just to learn there is nothing to do.
async function sweepStore(dryRun: boolean): Promise<number> {
  if (!storeInProcess(env())) return 0;
  return (await store()).sweepExpired({ dryRun });
}

// Counts what a run would remove now, per kind, without removing anything.
export async function countCleanup(overrides: Partial<CleanupSettings> = {}): Promise<CleanupCounts> {
  const settings = { ...cleanupSettings(), ...overrides };
  const database = await db();
  const counts = zeroCounts();
  for (const step of cleanupSteps(settings)) {
    const { n, also } = await execute(database, step.count);
    counts[step.kind] += n;
    if (step.alsoKind) counts[step.alsoKind] += also;
  }
  counts.storeEntries = await sweepStore(true);
  return counts;
}

// One run: every kind in turn, batch after batch, until done or out of budget. Recorded in cleanup_runs.
export async function runCleanup(options: CleanupOptions): Promise<CleanupResult> {
  const settings = { ...cleanupSettings(), ...options.settings };
  const dryRun = options.dryRun ?? false;
  const started = Date.now();
  const startedAt = new Date(started);
  const result: CleanupResult = {
    trigger: options.trigger,
    dryRun,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    batches: 0,
    deleted: zeroCounts(),
    complete: true,
  };
  const database = await db();
  try {
    if (dryRun) {
      result.deleted = await countCleanup(settings);
    } else {
      await deleteAll(database, settings, result, started, options.onProgress);
      await eventJobs(options.trigger);
    }
    result.durationMs = Date.now() - started;
    await record(database, result, startedAt, null);
    if (!dryRun) recordCleanupRun(result.deleted, "ok");
    return result;
  } catch (err) {
    result.durationMs = Date.now() - started;
    if (!dryRun) recordCleanupRun(result.deleted, "failed");
    // Best effort: the database may be what failed.
    await record(database, result, startedAt, err instanceof Error ? err.name : "error").catch(() => {});
    throw err;
  }
}

// The events' share of the jobs: abandoned carts told (lib/jobs/abandoned.ts), delivered events pruned.
async function eventJobs(trigger: CleanupOptions["trigger"]): Promise<void> {
  const abandoned = await recordAbandoned();
  const pruned = await pruneDeliveredEvents();
  if (abandoned > 0 || pruned > 0) log.info("event jobs", { trigger, abandoned, pruned });
}

async function deleteAll(
  database: Database,
  settings: CleanupSettings,
  result: CleanupResult,
  started: number,
  onProgress: CleanupOptions["onProgress"],
): Promise<void> {
  const outOfBudget = () => Date.now() - started >= settings.budgetMs;
  for (const step of cleanupSteps(settings)) {
    for (;;) {
      if (outOfBudget()) {
        result.complete = false;
        return;
      }
      const { n, also } = await execute(database, step.batch(settings.batchSize));
      if (n === 0) break;
      result.batches += 1;
      result.deleted[step.kind] += n;
      if (step.alsoKind) result.deleted[step.alsoKind] += also;
      onProgress?.({
        kind: step.kind,
        label: step.label,
        batch: result.batches,
        deleted: n,
        alsoDeleted: step.alsoKind ? { kind: step.alsoKind, count: also } : undefined,
        totals: { ...result.deleted },
      });
      if (n < settings.batchSize) break;
      // Let the shop's own queries through between batches.
      if (settings.pauseMs > 0) await sleep(settings.pauseMs);
    }
  }
  result.deleted.storeEntries = await sweepStore(false);
}

// How many runs cleanup_runs keeps.
const KEPT_RUNS = 200;

async function record(database: Database, result: CleanupResult, startedAt: Date, error: string | null): Promise<void> {
  await database.insert(cleanupRuns).values({
    trigger: result.trigger,
    dryRun: result.dryRun,
    startedAt,
    durationMs: result.durationMs,
    batches: result.batches,
    deleted: result.deleted,
    complete: result.complete,
    error,
  });
  await database.execute(sql`delete from cart_cleanup_runs where id in (select id from cart_cleanup_runs order by id desc offset ${KEPT_RUNS})`);
  const removed = Object.values(result.deleted).reduce((a, b) => a + b, 0);
  if (removed > 0 || error) log.info("cleanup run", { trigger: result.trigger, dryRun: result.dryRun, batches: result.batches, deleted: result.deleted, complete: result.complete, error });
}

export interface CleanupRun extends CleanupResult {
  id: number;
  // The error's name when the run failed part-way (its counts are what it did before).
  error: string | null;
}

// The latest runs, newest first (for the admin dashboard and operators).
export async function lastRuns(limit = 20): Promise<CleanupRun[]> {
  const rows = await (await db()).select().from(cleanupRuns).orderBy(desc(cleanupRuns.startedAt), desc(cleanupRuns.id)).limit(limit);
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger as CleanupRun["trigger"],
    dryRun: r.dryRun,
    startedAt: r.startedAt.toISOString(),
    durationMs: r.durationMs,
    batches: r.batches,
    deleted: { ...zeroCounts(), ...r.deleted },
    complete: r.complete,
    error: r.error,
  }));
}
