import { readFile } from "node:fs/promises";
import { MIGRATION_LOCK_ID } from "@/lib/storage/migrate";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { runCleanupCli } from "../support/cleanup-cli";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { createTestDatabase } from "../support/databases";
import { startPgbouncer } from "../support/pgbouncer";
import { deleteRedisKeys, redisUrl, uniquePrefix } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * Behind PgBouncer in transaction pooling mode, beyond the contract suite
 * (api-postgres-pgbouncer.test.ts): exactly-once writes, sign-in with merge and
 * sign-out, migrations when two instances start at once on an empty database, and
 * two cleanup runs at once. The flows run against the demo's instance in this
 * process (test/support/in-process-app.ts, Auth.js's routes included); the
 * migrations keep two real processes starting at once.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const PASSWORD = "correct horse battery";
const key = () => `key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const qty = (cart: any, id: string) => cart.items.find((i: any) => i.productId === id)?.quantity ?? 0;

describe("idempotency and accounts through PgBouncer", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+pgbouncer+redis", "pgbouncer_flows");
    app = await startInProcessApp({ ...backend.env, CATALOG_CACHE_SECONDS: "0" });
  });
  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("applies concurrent duplicates of an Idempotency-Key once", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.add(MUG, 1);
    const k = key();
    const replies = await Promise.all(Array.from({ length: 12 }, () => s.add(TEE, 1, { "idempotency-key": k })));
    for (const r of replies) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.error.code).toBe("IDEMPOTENCY_IN_PROGRESS");
    }
    expect(replies.some((r) => r.status === 200)).toBe(true);
    const cart = (await s.getCart()).body;
    expect(qty(cart, TEE)).toBe(1);
    expect(cart.version).toBe(2);
  });

  it("replays after the answer was lost: the outcome was committed with the change", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(MUG, 3, { "idempotency-key": k });
    expect(first.status).toBe(200);
    // Read back through PgBouncer too: unnamed statements only.
    const sql = postgres(backend.env.DATABASE_URL!, { max: 1, prepare: false, onnotice: () => {} });
    const rows = await sql`select status from cart_idempotency_keys where key = ${k}`;
    await sql.end();
    expect(rows).toEqual([{ status: 200 }]);
    await deleteRedisKeys(`${backend.env.STORE_KEY_PREFIX}idem:*`);
    await app.restart();
    const retry = await s.add(MUG, 3, { "idempotency-key": k });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect(qty((await s.getCart()).body, MUG)).toBe(3);
  });

  it("registers, merges the guest cart at sign-in, and signs out on the server", async () => {
    const email = uniqueEmail("pgbouncer");
    const registered = await new Shopper(app.url, app.fetch).request("POST", "/api/auth/register", { json: { email, password: PASSWORD } });
    expect(registered.status).toBe(201);
    const device = new Shopper(app.url, app.fetch);
    expect((await signIn(device, email, PASSWORD)).status).toBe(302);
    await device.add(TEE, 1);
    const guest = new Shopper(app.url, app.fetch);
    await guest.add(TEE, 2);
    await guest.add(MUG, 1);
    const signedIn = await signIn(guest, email, PASSWORD);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("location")).not.toMatch(/error/);
    const merged = (await guest.getCart()).body;
    expect([qty(merged, TEE), qty(merged, MUG)]).toEqual([3, 1]);
    expect(merged.notices).toEqual([expect.objectContaining({ type: "merged" })]);
    const captured = guest.cookieHeader();
    expect((await signOut(guest)).status).toBe(302);
    expect((await guest.request("GET", "/api/session")).body.user).toBeNull();
    const stale = await new Shopper(app.url, app.fetch).request("GET", "/api/session", { headers: { cookie: captured } });
    expect(stale.body.user ?? null).toBeNull();
    expect(qty((await device.getCart()).body, TEE)).toBe(3);
  });
});

describe("migrations through PgBouncer", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pgbouncer: Awaited<ReturnType<typeof startPgbouncer>>;
  let apps: AppServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("pgbouncer_migrate");
    // One server connection: every transaction of both instances takes turns on it, so a
    // lock that outlived its transaction there would be "held" by whoever came next.
    pgbouncer = await startPgbouncer({ database: database.name, poolSize: 1 });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await pgbouncer?.stop();
    await database?.drop();
  });

  it("two instances starting at once on an empty database both come up on one correctly migrated schema", async () => {
    // Detected from the URL, not named by DATABASE_POOLER.
    const url = `${pgbouncer.url}?pgbouncer=true`;
    const env = { DATABASE_URL: url, REDIS_URL: redisUrl, STORE_KEY_PREFIX: uniquePrefix("pgbouncer_migrate") };
    const direct = postgres(database.url, { max: 1, onnotice: () => {} });
    // Hold the migration lock until an instance waits for it, so both start migrating together.
    const starting = await direct.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
      const both = Promise.all([startApp(env), startApp(env)]);
      both.catch(() => {});
      while ((await tx`select 1 from pg_locks where locktype = 'advisory' and not granted`).length === 0) await sleep(50);
      // The other instance was spawned at the same moment: give it time to queue behind the first.
      await sleep(1500);
      return [both];
    });
    await direct.end();
    apps = await starting[0]!;
    for (const app of apps) {
      expect((await new Shopper(app.url).request("GET", "/api/products")).body.products).toHaveLength(24);
      // Up at the first try: a failed migration would only have been retried by the health check.
      expect(app.output()).not.toMatch(/database not ready/);
    }

    const journal = JSON.parse(await readFile(path.join("db", "migrations", "meta", "_journal.json"), "utf8"));
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const applied = await sql`select hash, created_at from public.cart_migrations order by created_at`;
      expect(applied.map((m) => Number(m.created_at))).toEqual(journal.entries.map((e: any) => e.when));
      expect(new Set(applied.map((m) => m.hash)).size).toBe(journal.entries.length);
      // No lock left behind on a pooled server connection (a session lock would be).
      expect(await sql`select objid from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`).toEqual([]);
      expect(await sql`select count(*)::int as n from cart_products`).toEqual([{ n: 24 }]);
    } finally {
      await sql.end();
    }
  });

  it("splits old guest carts between two cleanup runs at once: each deleted once (row locks, no advisory lock)", async () => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into cart_carts (currency, updated_at) select 'USD', now() - interval '30 days' from generate_series(1, 300)`;
      const env = { DATABASE_URL: pgbouncer.url, DATABASE_POOLER: "pgbouncer", CLEANUP_BATCH_SIZE: "50", CLEANUP_PAUSE_MS: "0" };
      const runs = await Promise.all([runCleanupCli(env), runCleanupCli(env)]);
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      expect(runs.every((r) => r.result.complete)).toBe(true);
      expect(runs[0]!.result.deleted.guestCarts + runs[1]!.result.deleted.guestCarts).toBe(300);
      expect(await sql`select count(*)::int as n from cart_carts`).toEqual([{ n: 0 }]);
    } finally {
      await sql.end();
    }
  });
});
