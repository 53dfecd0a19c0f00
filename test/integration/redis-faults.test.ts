import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { eventually, sleep, slowAndFailed, startLoad, verifyAcknowledged, type LoadRun } from "../support/cart-load";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper } from "../support/shopper";

/**
 * Degrade, don't fail: Redis killed, paused (SIGSTOP) and flushed under a
 * load of adds and reads. Every request still succeeds within the budget
 * (sessions from the cookie, carts from Postgres), every acknowledged add
 * is there afterwards, and /api/health tells the truth, recovering by
 * itself when Redis is back. The demo's instance runs in this process
 * (test/support/in-process-app.ts): the faults are the store's, and the
 * module's answers to them are the same as behind next start.
 */
const PRODUCTS = ["sku-tee-black-m", "sku-hoodie-grey-m", "sku-mug-stoneware", "sku-tote-natural", "sku-socks-merino-3", "sku-cap-black"];
const BUDGET_MS = 2000;
const SHOPPERS = 6;

describe("Redis faults (Postgres + a redis-server of the test's own)", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: InProcessApp;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "redis_faults");
    app = await startInProcessApp({ ...backend.env, REDIS_URL: redis.url, STORE_TIMEOUT_MS: "100", CART_MAX_QUANTITY: "100000" });
    // The products this load adds must exist and be on sale.
    const catalog = (await new Shopper(app.url, app.fetch).request("GET", "/api/products")).body.products as { id: string; active: boolean }[];
    for (const id of PRODUCTS) expect(catalog.find((p) => p.id === id)?.active).toBe(true);
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  /** GET /api/health, itself held to the budget. */
  async function health(): Promise<{ status: number; body: any }> {
    const started = performance.now();
    const reply = await new Shopper(app.url, app.fetch).request("GET", "/api/health");
    expect(performance.now() - started).toBeLessThan(BUDGET_MS);
    return reply;
  }

  const healthIs = (status: string) => async () => (await health()).body.status === status;

  async function expectCleanRun(run: LoadRun) {
    expect(run.summary()).toEqual({ "200": run.records.length });
    expect(slowAndFailed(run)).toMatchObject({ hung: 0, networkErrors: 0 });
    expect(run.staleCarts).toEqual([]);
    expect(await verifyAcknowledged(run, backend.env.DATABASE_URL!)).toEqual([]);
    // The load did add things.
    expect(run.acked.reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(20);
  }

  it("keeps serving while Redis is killed, says degraded, and recovers by itself when it is back", async () => {
    expect((await health()).body.status).toBe("ok");
    const run = await startLoad(app.url, { fetch: app.fetch, shoppers: SHOPPERS, products: PRODUCTS, budgetMs: BUDGET_MS });
    await sleep(1500);
    await redis.kill();
    const killedAt = run.records.length;
    expect(await eventually(healthIs("degraded"), 5000)).toBe(true);
    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: "degraded", checks: { postgres: { ok: true }, redis: { ok: false } } });
    await sleep(3000);
    const servedWhileDown = run.records.length - killedAt;
    await redis.start();
    expect(await eventually(healthIs("ok"), 10_000)).toBe(true);
    await sleep(1500);
    await run.stop();

    expect(servedWhileDown).toBeGreaterThan(20);
    await expectCleanRun(run);
    // Back in use without an app restart: sessions and carts are written to the new Redis again.
    expect(Number(await redis.command(["DBSIZE"]))).toBeGreaterThan(0);
    expect((await health()).body).toMatchObject({ status: "ok", checks: { redis: { ok: true } } });
  });

  it("never hangs while Redis is paused (SIGSTOP), and on SIGCONT serves no cart older than Postgres", async () => {
    const run = await startLoad(app.url, { fetch: app.fetch, shoppers: SHOPPERS, products: PRODUCTS, budgetMs: BUDGET_MS });
    await sleep(1500);
    redis.pause();
    const pausedAt = run.records.length;
    try {
      expect(await eventually(healthIs("degraded"), 5000)).toBe(true);
      expect((await health()).status).toBe(200);
      await sleep(3000);
      // The load ends while Redis is still paused: the first request after SIGCONT is a read,
      // which must not be served a cached cart from before the pause (written while the breaker was open).
      await run.stop();
    } finally {
      redis.resume();
    }
    const servedWhilePaused = run.records.length - pausedAt;
    expect(await eventually(healthIs("ok"), 10_000)).toBe(true);

    expect(servedWhilePaused).toBeGreaterThan(20);
    await expectCleanRun(run);
    // And the shoppers go on.
    for (const [i, shopper] of run.shoppers.entries()) {
      const reply = await shopper.add(PRODUCTS[i % PRODUCTS.length]!, 1);
      expect(reply.status).toBe(200);
      expect(reply.body.itemCount).toBe([...run.acked[i]!.values()].reduce((a, b) => a + b, 0) + 1);
    }
  });

  it("loses nothing when Redis is flushed (FLUSHALL) mid-load", async () => {
    const run = await startLoad(app.url, { fetch: app.fetch, shoppers: SHOPPERS, products: PRODUCTS, budgetMs: BUDGET_MS, workersPerShopper: 2 });
    for (let i = 0; i < 3; i += 1) {
      await sleep(1000);
      expect(await redis.command(["FLUSHALL"])).toBe("OK");
    }
    await sleep(1500);
    await run.stop();

    await expectCleanRun(run);
    expect((await health()).body.status).toBe("ok");
  });
});
