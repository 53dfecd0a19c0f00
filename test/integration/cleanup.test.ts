import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCleanupCli, spawnCleanup } from "../support/cleanup-cli";
import { createTestDatabase } from "../support/databases";

/**
 * The cleanup job (lib/jobs/cleanup.ts) through its CLI, as a real child
 * process on a real Postgres database seeded by SQL: exactly the right rows
 * of every kind go (user carts by the default retention and kept forever
 * with USER_CART_KEEP_FOREVER), a dry run deletes nothing, progress is
 * printed per batch, and a run killed between batches, then rerun, or two
 * runs at once, leave exactly the right rows with counts that add up.
 */
const TEE = "sku-tee-black-m";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase("cleanup");
  env = { DATABASE_URL: database.url };
  // The first run migrates and seeds the catalog (nothing to delete yet).
  const first = await runCleanupCli(env);
  expect(first.code).toBe(0);
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

beforeEach(async () => {
  await sql`truncate cart_carts, cart_lines, cart_recovery_links, cart_recovery_redemptions, cart_idempotency_keys, cart_user_sessions, cart_users, cart_cleanup_runs cascade`;
});

const labels = new Map<string, string>();

/** A cart with one line, `age` an SQL interval before now(). */
async function cart(label: string, userId: string | null, status: string, age: string): Promise<string> {
  const [row] = await sql`
    insert into cart_carts (user_id, status, currency, updated_at, created_at)
    values (${userId}, ${status}, 'USD', now() - ${age}::interval, now() - ${age}::interval - interval '1 hour')
    returning id`;
  await sql`insert into cart_lines (cart_id, product_id, quantity, added_unit_price) values (${row!.id}, ${TEE}, 1, 2500)`;
  labels.set(row!.id as string, label);
  return row!.id as string;
}

/** Carts, links, redemptions, outcomes and sessions of every age and state; returns what must stay. */
async function seedEveryKind() {
  const guestYoung = await cart("guest 6 days", null, "active", "6 days");
  await cart("guest 8 days", null, "active", "8 days");
  await cart("user 29 days", "user-29", "active", "29 days");
  await cart("user 31 days", "user-31", "active", "31 days");
  await cart("merged 6 days", null, "merged", "6 days");
  await cart("merged 8 days", null, "merged", "8 days");
  await cart("closed 100 days", null, "closed", "100 days");

  await sql`insert into cart_recovery_links (id, lines, source_cart_id, created_at, expires_at) values
    ('link-expired', '[]', ${guestYoung}, now() - interval '73 hours', now() - interval '1 hour'),
    ('link-live', '[]', ${guestYoung}, now() - interval '71 hours', now() + interval '1 hour')`;
  await sql`insert into cart_recovery_redemptions (token_id, cart_id, redeemed_at) values
    ('link-expired', ${guestYoung}, now() - interval '70 hours'),
    ('link-live', ${guestYoung}, now() - interval '70 hours'),
    ('link-gone-long-ago', ${guestYoung}, now() - interval '100 hours'),
    ('link-gone-lately', ${guestYoung}, now() - interval '1 hour')`;

  await sql`insert into cart_idempotency_keys (scope, key, fingerprint, status, body, created_at) values
    ('scope-a', 'old', 'f', 200, '{}', now() - interval '25 hours'),
    ('scope-a', 'new', 'f', 200, '{}', now() - interval '23 hours')`;

  await sql`insert into cart_users (id, email) values ('user-s', 's@example.com')`;
  // Default grace for revoked rows: rotation grace 60 s + revalidation 5 s + 300 s.
  await sql`insert into cart_user_sessions (sid, user_id, created_at, revoked_at) values
    ('revoked-hour-ago', 'user-s', now() - interval '2 hours', now() - interval '1 hour'),
    ('revoked-just-now', 'user-s', now() - interval '2 hours', now() - interval '10 seconds'),
    ('past-absolute', 'user-s', now() - interval '91 days', null),
    ('live', 'user-s', now() - interval '1 day', null)`;
}

async function remaining() {
  const cartRows = await sql`select id from cart_carts`;
  const items = await sql`select cart_id from cart_lines`;
  return {
    carts: cartRows.map((r) => labels.get(r.id as string)).sort(),
    orphanItems: items.filter((i) => !cartRows.some((c) => c.id === i.cart_id)).length,
    links: (await sql`select id from cart_recovery_links order by id`).map((r) => r.id),
    redemptions: (await sql`select token_id from cart_recovery_redemptions order by token_id`).map((r) => r.token_id),
    outcomes: (await sql`select key from cart_idempotency_keys order by key`).map((r) => r.key),
    sessions: (await sql`select sid from cart_user_sessions order by sid`).map((r) => r.sid),
  };
}

const KEPT_ALWAYS = {
  links: ["link-live"],
  redemptions: ["link-gone-lately", "link-live"],
  outcomes: ["new"],
  sessions: ["live", "revoked-just-now"],
};

describe("cleanup of every kind", () => {
  it("deletes exactly the expired rows: user carts kept forever with USER_CART_KEEP_FOREVER, after 30 days by default", async () => {
    await seedEveryKind();
    const before = await remaining();

    const dry = await runCleanupCli(env, ["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.result.dryRun).toBe(true);
    expect(dry.result.deleted).toEqual({
      guestCarts: 1,
      userCarts: 1,
      mergedCarts: 1,
      recoveryLinks: 1,
      recoveryRedemptions: 2,
      idempotencyKeys: 1,
      userSessions: 2,
      storeEntries: 0,
    });
    expect(await remaining()).toEqual(before);

    const forever = await runCleanupCli({ ...env, USER_CART_KEEP_FOREVER: "1" });
    expect(forever.code).toBe(0);
    expect(forever.result.deleted).toEqual({
      guestCarts: 1,
      userCarts: 0,
      mergedCarts: 1,
      recoveryLinks: 1,
      recoveryRedemptions: 2,
      idempotencyKeys: 1,
      userSessions: 2,
      storeEntries: 0,
    });
    expect(await remaining()).toEqual({
      carts: ["closed 100 days", "guest 6 days", "merged 6 days", "user 29 days", "user 31 days"],
      orphanItems: 0,
      ...KEPT_ALWAYS,
    });

    const byDefault = await runCleanupCli(env);
    expect(byDefault.code).toBe(0);
    expect(byDefault.result.deleted).toMatchObject({ guestCarts: 0, userCarts: 1, mergedCarts: 0, recoveryLinks: 0, userSessions: 0 });
    expect(await remaining()).toEqual({
      carts: ["closed 100 days", "guest 6 days", "merged 6 days", "user 29 days"],
      orphanItems: 0,
      ...KEPT_ALWAYS,
    });

    // Idempotent: nothing left to do.
    const again = await runCleanupCli(env);
    expect(Object.values(again.result.deleted).every((n) => n === 0)).toBe(true);

    // Every run is recorded for operators (lastRuns() reads these rows).
    const runs = await sql`select trigger, dry_run, deleted, complete from cart_cleanup_runs order by id`;
    expect(runs.map((r) => [r.trigger, r.dry_run, r.complete])).toEqual([
      ["cli", true, true],
      ["cli", false, true],
      ["cli", false, true],
      ["cli", false, true],
    ]);
    expect(runs[2]!.deleted).toMatchObject({ userCarts: 1 });

    // The dashboard's read of them, in this process: newest first, every kind present.
    const { lastRuns } = await import("@/lib/jobs/cleanup");
    const { testInstance } = await import("../support/instance");
    const instance = testInstance({ DATABASE_URL: database.url });
    try {
      const latest = await instance.run(() => lastRuns(2));
      expect(latest.map((r) => [r.trigger, r.dryRun, r.error])).toEqual([
        ["cli", false, null],
        ["cli", false, null],
      ]);
      expect(latest[1]!.deleted).toEqual({
        guestCarts: 0,
        userCarts: 1,
        mergedCarts: 0,
        recoveryLinks: 0,
        recoveryRedemptions: 0,
        idempotencyKeys: 0,
        userSessions: 0,
        storeEntries: 0,
      });
      expect(latest[0]!.id).toBeGreaterThan(latest[1]!.id);
    } finally {
      await instance.close();
    }
  });

  it("prints one counted line per batch and a summary per kind when its output is not a terminal", async () => {
    for (let i = 0; i < 25; i += 1) await cart(`old ${i}`, null, "active", "30 days");
    const run = await runCleanupCli({ ...env, CLEANUP_BATCH_SIZE: "10", CLEANUP_PAUSE_MS: "0" });
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("batch "))).toEqual([
      "batch 1: guestCarts 10 deleted (10 guestCarts so far, 10 rows in all)",
      "batch 2: guestCarts 10 deleted (20 guestCarts so far, 20 rows in all)",
      "batch 3: guestCarts 5 deleted (25 guestCarts so far, 25 rows in all)",
    ]);
    expect(lines).toContain("  guestCarts           25");
    expect(lines).toContain("  total                25");
    expect(lines.some((l) => /^deleted \(3 batches, \d+ ms\):$/.test(l))).toBe(true);
    expect(run.stdout).not.toContain("\r");
  });

  it("a dry run prints what it would delete and deletes nothing", async () => {
    for (let i = 0; i < 5; i += 1) await cart(`old ${i}`, null, "active", "30 days");
    const run = await runCleanupCli(env, ["--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("would delete (0 batches");
    expect(run.stdout).toContain("  guestCarts           5");
    const [{ n }] = (await sql`select count(*)::int as n from cart_carts`) as unknown as [{ n: number }];
    expect(n).toBe(5);
  });
});

describe("crashes and concurrent runs", () => {
  const OLD = 300;
  const YOUNG = 50;

  async function seedGuests(old: number, young: number) {
    await sql`insert into cart_carts (currency, updated_at) select 'USD', now() - interval '10 days' - make_interval(secs => i) from generate_series(1, ${old}) i`;
    await sql`insert into cart_carts (currency, updated_at) select 'USD', now() - interval '1 day' from generate_series(1, ${young})`;
    await sql`insert into cart_lines (cart_id, product_id, quantity, added_unit_price) select id, ${TEE}, 1, 2500 from cart_carts`;
    await sql`insert into cart_idempotency_keys (scope, key, fingerprint, status, body, created_at)
      select 's', 'old-' || i, 'f', 200, '{}', now() - interval '2 days' from generate_series(1, ${old}) i`;
    await sql`insert into cart_idempotency_keys (scope, key, fingerprint, status, body, created_at)
      select 's', 'new-' || i, 'f', 200, '{}', now() from generate_series(1, ${young}) i`;
  }

  async function counts() {
    const [row] = await sql`
      select (select count(*)::int from cart_carts where updated_at < now() - interval '7 days') as old,
             (select count(*)::int from cart_carts where updated_at >= now() - interval '7 days') as young,
             (select count(*)::int from cart_lines) as items,
             (select count(*)::int from cart_idempotency_keys where key like 'old-%') as old_keys,
             (select count(*)::int from cart_idempotency_keys where key like 'new-%') as new_keys`;
    return row as unknown as { old: number; young: number; items: number; old_keys: number; new_keys: number };
  }

  it("a run killed between batches deletes whole batches only, and a rerun finishes the job", async () => {
    await seedGuests(OLD, YOUNG);
    const slow = { ...env, CLEANUP_BATCH_SIZE: "10", CLEANUP_PAUSE_MS: "150" };
    const run = spawnCleanup(slow);
    // Killed while it pauses after its fifth batch: SIGKILL, no chance to tidy up.
    while (!run.stdout().includes("batch 5:")) {
      if (run.child.exitCode !== null) throw new Error(`the run ended before it could be killed:\n${run.stdout()}\n${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    run.child.kill("SIGKILL");
    expect(await run.exited).toBeNull();

    const after = await counts();
    const deletedBeforeKill = OLD - after.old;
    expect(deletedBeforeKill).toBeGreaterThanOrEqual(50);
    expect(deletedBeforeKill).toBeLessThan(OLD);
    expect(deletedBeforeKill % 10).toBe(0); // each batch is its own transaction: all or nothing
    expect(after.young).toBe(YOUNG);
    expect(after.items).toBe(after.old + after.young);

    const rerun = await runCleanupCli({ ...slow, CLEANUP_PAUSE_MS: "0" });
    expect(rerun.code).toBe(0);
    expect(rerun.result.deleted.guestCarts + deletedBeforeKill).toBe(OLD);
    expect(rerun.result.deleted.idempotencyKeys).toBe(OLD);
    expect(await counts()).toEqual({ old: 0, young: YOUNG, items: YOUNG, old_keys: 0, new_keys: YOUNG });
  });

  it("two runs at once share the work: every expired row deleted once, nothing else", async () => {
    const old = 1000;
    await seedGuests(old, YOUNG);
    const settings = { ...env, CLEANUP_BATCH_SIZE: "10", CLEANUP_PAUSE_MS: "50" };
    // The second starts once the first is under way (about 100 batches, 50 ms apart, still to go).
    const first = spawnCleanup(settings, ["--json"]);
    while (!first.stdout().includes("batch 3:")) {
      if (first.child.exitCode !== null) throw new Error(`the first run ended early:\n${first.stdout()}\n${first.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const b = await runCleanupCli(settings);
    const a = { code: await first.exited, result: JSON.parse(first.stdout().trim().split("\n").at(-1)!) as typeof b.result };
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.result.deleted.guestCarts).toBeGreaterThan(0);
    expect(b.result.deleted.guestCarts).toBeGreaterThan(0);
    expect(a.result.deleted.guestCarts + b.result.deleted.guestCarts).toBe(old);
    expect(a.result.deleted.idempotencyKeys + b.result.deleted.idempotencyKeys).toBe(old);
    expect(await counts()).toEqual({ old: 0, young: YOUNG, items: YOUNG, old_keys: 0, new_keys: YOUNG });
  });
});
