import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { eventually, sleep, slowAndFailed, startLoad, verifyAcknowledged } from "../support/cart-load";
import { createTestDatabase } from "../support/databases";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster";
import { uniquePrefix } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * Redis Cluster (three masters, one replica each) under a load of adds and
 * reads, with one master killed: the replica takes over, requests during the
 * failover degrade as they do when a single Redis stops (sessions from the
 * cookie, carts from Postgres), and every acknowledged add is there after.
 */
const PRODUCTS = ["sku-tee-black-m", "sku-hoodie-grey-m", "sku-mug-stoneware", "sku-tote-natural"];
const BUDGET_MS = 2000;

describe("Redis Cluster with a master killed mid-load", () => {
  let cluster: RedisCluster;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: AppServer;

  beforeAll(async () => {
    [cluster, database] = await Promise.all([startRedisCluster(), createTestDatabase("redis_cluster")]);
    app = await startApp({
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.nodes.join(","),
      STORE_KEY_PREFIX: uniquePrefix("cluster"),
      STORE_TIMEOUT_MS: "150",
      CART_MAX_QUANTITY: "100000",
    });
  });

  afterAll(async () => {
    await app?.stop();
    await cluster?.stop();
    await database?.drop();
  });

  const health = async () => (await new Shopper(app.url).request("GET", "/api/health")).body;

  it("loses no acknowledged change and serves every request through the failover", async () => {
    expect(await health()).toMatchObject({ status: "ok", checks: { redis: { ok: true } } });
    const keysBefore = await cluster.keyCount();
    const run = await startLoad(app.url, { shoppers: 6, products: PRODUCTS, budgetMs: BUDGET_MS });
    await sleep(1500);
    const killed = await cluster.killMaster();
    await cluster.waitHealthy();
    const recovered = await eventually(async () => (await health()).status === "ok", 15_000);
    if (!recovered) console.log(JSON.stringify(await health()), app.output().slice(-3000));
    expect(recovered).toBe(true);
    await sleep(1500);
    await run.stop();

    expect(keysBefore).toBe(0);
    expect(killed).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(run.summary()).toEqual({ "200": run.records.length });
    expect(slowAndFailed(run)).toMatchObject({ hung: 0, networkErrors: 0 });
    expect(run.staleCarts).toEqual([]);
    expect(await verifyAcknowledged(run, database.url)).toEqual([]);
    expect(run.acked.reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(20);
    // The cluster really holds the sessions and cached carts, on the masters that are left too.
    for (const shopper of run.shoppers) expect((await shopper.getCart()).status).toBe(200);
    expect(await cluster.keyCount()).toBeGreaterThan(run.shoppers.length);
  });
});
