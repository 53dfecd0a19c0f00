import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { eventually } from "../support/cart-load";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { adminDatabaseUrl } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * A failover behind one name, or a demoted primary that kept running, leaves the app's pooled
 * connections on a node that answers but refuses writes (SQLSTATE 25006), while new connections
 * would find the writable primary. Here one database plays both: the pool (one connection) is
 * opened while the database is read-only by default, then the default is lifted, so only new
 * connections can write. Issue 18 asks that such connections be dropped and the write retried
 * against the primary (lib/storage/primary-pool.ts), and that /api/health say "degraded", not
 * "down", while writes cannot commit (reads go on from the cache).
 */
const TEE = "sku-tee-black-m";

describe("connections that reach a read-only node", () => {
  let backend: Backend;
  let app: InProcessApp;
  let admin: postgres.Sql;
  let databaseName: string;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "read_only");
    databaseName = new URL(backend.env.DATABASE_URL!).pathname.slice(1);
    // One pooled connection, so which connection a statement takes is not left to chance.
    app = await startInProcessApp({ ...backend.env, DATABASE_POOL_SIZE: "1" });
    admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await app?.stop();
    await backend?.cleanup();
  });

  const health = async (s: Shopper) => {
    const res = await s.request("GET", "/api/health");
    return { status: res.status, body: res.body as { status: string; checks: { postgres: { ok: boolean; error?: string } } } };
  };

  it("answers 503 once, drops the pool, and takes the retried write on a writable connection; health says degraded meanwhile", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(TEE, 1)).status).toBe(200);

    // The node turns read-only: its sessions end, and the pool's next connection is read-only.
    await admin.unsafe(`alter database ${databaseName} set default_transaction_read_only = on`);
    await admin`select pg_terminate_backend(pid, 5000) from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`;
    // Health answers from a check shared for a second (the app's start-up made the last one).
    let readOnly = await health(s);
    await eventually(async () => (readOnly = await health(s)).body.status !== "ok", 3_000);
    expect(readOnly.status).toBe(200);
    expect(readOnly.body.status).toBe("degraded");
    expect(readOnly.body.checks.postgres).toMatchObject({ ok: false, error: "read-only" });
    // Reads go on (the cart is served from the cache).
    expect((await s.getCart()).body).toMatchObject({ items: [{ productId: TEE, quantity: 1 }] });

    // The primary is back for new connections only; the pool's connection is still read-only.
    await admin.unsafe(`alter database ${databaseName} reset default_transaction_read_only`);
    const key = "read-only-retry-0001";
    const refused = await s.add(TEE, 1, { "Idempotency-Key": key });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).not.toBeNull();

    // The same change again: applied once, on a new connection (the stale pool would refuse it
    // again for a minute, until its idle timeout).
    const retried = await s.add(TEE, 1, { "Idempotency-Key": key });
    expect(retried.status).toBe(200);
    expect(retried.body.items).toMatchObject([{ productId: TEE, quantity: 2 }]);
    expect((await s.add(TEE, 1, { "Idempotency-Key": key })).body.items).toMatchObject([{ productId: TEE, quantity: 2 }]);
  });
});

describe("a database that stops answering", () => {
  let backend: Backend;
  let app: InProcessApp;
  let admin: postgres.Sql;
  let databaseName: string;
  const clock = new TestClock();

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "unanswering");
    databaseName = new URL(backend.env.DATABASE_URL!).pathname.slice(1);
    app = await startInProcessApp(backend.env, { now: clock.now });
    admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.unsafe(`alter database ${databaseName} with allow_connections true`);
    await admin?.end();
    await app?.stop();
    await backend?.cleanup();
  });

  it("is degraded for a failover's gap after its last answer (reads go on), then down with 503", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(TEE, 1)).status).toBe(200);
    const status = async () => {
      const res = await s.request("GET", "/api/health");
      return `${res.status} ${(res.body as { status: string }).status}`;
    };
    expect(await status()).toBe("200 ok");

    // No node answers: new connections are refused, the open ones ended.
    await admin.unsafe(`alter database ${databaseName} with allow_connections false`);
    await admin`select pg_terminate_backend(pid, 5000) from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`;
    clock.freeze();
    // Health answers from a check shared for a second.
    let said = await status();
    await eventually(async () => (said = await status()) !== "200 ok", 3_000);
    expect(said).toBe("200 degraded");
    expect((await s.getCart()).body).toMatchObject({ items: [{ productId: TEE, quantity: 1 }] });

    // Past the gap (15 s on the instance's clock), still no answer: down.
    clock.advance(16_000);
    await eventually(async () => (said = await status()) !== "200 degraded", 3_000);
    expect(said).toBe("503 down");
  });
});
