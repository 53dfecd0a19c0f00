import { cartCacheKey } from "@/lib/cart/cache";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { eventually, sleep, slowAndFailed, startLoad, verifyAcknowledged, type LoadRun } from "../support/cart-load";
import { createTestDatabase } from "../support/databases";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster";
import { uniquePrefix } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * A Redis Cluster master killed (SIGKILL), or paused (SIGSTOP: it keeps its
 * connections and answers nothing), under a load of adds and reads. While its
 * slots have no master, requests degrade exactly as with a single Redis
 * stopped (every one answered 200 from the cookie and Postgres); its replica
 * is promoted (cluster-node-timeout 1000 ms), the app finds it by itself, and
 * afterwards every acknowledged add is in the cart, through the API and in
 * Postgres, and the app writes to the promoted node again.
 */
const PRODUCTS = ["sku-tee-black-m", "sku-hoodie-grey-m", "sku-mug-stoneware", "sku-tote-natural", "sku-socks-merino-3", "sku-cap-black"];
// Not a speed check (STORE_TIMEOUT_MS is 100 ms): a request unanswered this long is hung.
const HUNG_MS = 20_000;
const SHOPPERS = 12;
// Requests answered while the lost master's slots have none, before its replica may take over.
const SERVED_WITHOUT_MASTER = 30;
// Generous bounds for "eventually" and for the whole test: the machine may be shared and slow.
const EVENTUALLY_MS = 60_000;
const TEST_TIMEOUT_MS = 240_000;

describe("Redis Cluster failover (Postgres + a cluster of the test's own, a master lost mid-load)", () => {
  let cluster: RedisCluster;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: AppServer;
  let prefix: string;

  beforeEach(async () => {
    prefix = uniquePrefix("cluster_failover");
    cluster = await startRedisCluster();
    database = await createTestDatabase("cluster_failover");
    app = await startApp({
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.nodes.join(","),
      STORE_KEY_PREFIX: prefix,
      STORE_TIMEOUT_MS: "100",
      CART_MAX_QUANTITY: "100000",
    });
  });

  afterEach(async () => {
    await app?.stop();
    await cluster?.stop();
    await database?.drop();
  });

  const healthReply = () => new Shopper(app.url).request("GET", "/api/health");
  const health = async () => (await healthReply()).body as { status: string; checks: { redis: { ok: boolean } } };
  const appLog = () => `app output:\n${app.output().slice(-4000)}`;
  const cartKey = (cartId: string) => `${prefix}${cartCacheKey(cartId)}`;

  /** The version of a cart's cache entry on one node ("<version>:<json>"), or null when that node has none. */
  async function cachedVersionOn(port: number, cartId: string): Promise<number | null> {
    const stored = await cluster.command(port, "get", cartKey(cartId));
    const version = Number(stored.slice(0, stored.indexOf(":")));
    return stored.includes(":") && Number.isSafeInteger(version) ? version : null;
  }

  /** Each shopper's cart id and the port of the master its cache entry lives on. */
  async function placeCarts(run: LoadRun): Promise<{ cartId: string; master: number }[]> {
    return Promise.all(
      run.shoppers.map(async (shopper, i) => {
        const reply = await shopper.getCart();
        const cartId = (reply.body as { id: string | null }).id;
        if (reply.status !== 200 || !cartId) throw new Error(`shopper ${i} has no stored cart yet (${reply.status})`);
        return { cartId, master: await cluster.masterOf(cartKey(cartId)) };
      }),
    );
  }

  /**
   * Runs the load, takes down (`fault`) the master holding the most carts,
   * waits for its replica's promotion and for the app to use it, lets
   * `afterFailover` run, and checks the whole run.
   */
  async function loseMasterMidLoad(fault: (port: number) => Promise<void>, afterFailover: (victim: number) => Promise<void> = async () => {}) {
    // The app connects to the cluster lazily, on its first store call.
    expect(await eventually(async () => (await health()).status === "ok", EVENTUALLY_MS)).toBe(true);
    const run = await startLoad(app.url, { shoppers: SHOPPERS, products: PRODUCTS, budgetMs: HUNG_MS, workersPerShopper: 2 });
    expect(await eventually(async () => run.acked.every((m) => m.size > 0), EVENTUALLY_MS)).toBe(true);
    const carts = await placeCarts(run);
    const perMaster = new Map<number, number>();
    for (const { master } of carts) perMaster.set(master, (perMaster.get(master) ?? 0) + 1);
    const victim = [...perMaster].sort((a, b) => b[1] - a[1])[0]![0];
    const onVictim = carts.filter((c) => c.master === victim);

    // Until the failover is let go the slots have no master; once the other nodes agree the
    // master failed, the cluster refuses every keyed command (CLUSTERDOWN). The load goes on.
    const letFailoverGo = await cluster.holdFailover(victim);
    await fault(victim);
    const lostAt = run.records.length;
    await cluster.waitUntilFailed(victim);
    expect(await healthReply()).toMatchObject({ status: 200, body: { status: "degraded", checks: { postgres: { ok: true }, redis: { ok: false } } } });
    expect(await eventually(async () => run.records.length >= lostAt + SERVED_WITHOUT_MASTER, EVENTUALLY_MS)).toBe(true);
    await letFailoverGo();
    const promoted = await cluster.waitForFailover(victim);
    // The app finds the promoted master by itself: health and the moved carts' cache entries come back.
    expect(await eventually(async () => (await health()).status === "ok", EVENTUALLY_MS), appLog()).toBe(true);
    await afterFailover(victim);
    await sleep(1000);
    await run.stop();

    expect(onVictim.length).toBeGreaterThan(0);
    expect(run.summary()).toEqual({ "200": run.records.length });
    expect(slowAndFailed(run)).toMatchObject({ hung: 0, networkErrors: 0 });
    expect(run.staleCarts).toEqual([]);
    expect(await verifyAcknowledged(run, database.url)).toEqual([]);

    // Each moved cart is cached on the promoted master again, at the version the API answers
    // (on a starved machine one cache write may still time out and be dropped: add again).
    for (const { cartId } of onVictim) {
      const shopper = run.shoppers[carts.findIndex((c) => c.cartId === cartId)]!;
      expect(await cluster.masterOf(cartKey(cartId))).toBe(promoted);
      const landed = async () => {
        const added = await shopper.add(PRODUCTS[0]!, 1);
        return added.status === 200 && (await cachedVersionOn(promoted, cartId)) === (added.body as { version: number }).version;
      };
      expect(await eventually(landed, EVENTUALLY_MS), appLog()).toBe(true);
    }
    expect(await health()).toMatchObject({ status: "ok", checks: { redis: { ok: true } } });
  }

  it("answers every request while a killed master's slots have none, loses no acknowledged add, and uses the promoted replica", async () => {
    await loseMasterMidLoad((port) => cluster.kill(port));
  }, TEST_TIMEOUT_MS);

  it("does the same when the master is paused (SIGSTOP) instead, and goes on when it comes back as a replica", async () => {
    // A paused node still takes connections: commands for its slots time out instead of failing at once.
    await loseMasterMidLoad(
      (port) => cluster.pause(port),
      async (victim) => {
        cluster.resume(victim);
        await cluster.waitForReplica(victim);
      },
    );
  }, TEST_TIMEOUT_MS);
});
