import { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unsealSession } from "@/lib/session/cookie";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { openLive } from "../support/live";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper } from "../support/shopper";

/**
 * Redis pub/sub delivers at most once: what is published while an instance's subscriber is
 * reconnecting is lost to it. After the reconnect every stream catches up: a session ended
 * meanwhile (its tombstone in the store) gets `rotated`, and the cart is read again. Here the
 * session's end reaches the store only (as if the instance that ended it had lost its publish),
 * and the subscriber's connection is killed: only the catch-up can rotate the stream. On a Redis
 * of the test's own (a single node, and a cluster: sharded pub/sub), so killing pub/sub
 * connections touches nobody else.
 */
for (const kind of ["redis", "redis-cluster"] as const) {
  describe(`a live stream after its instance's subscriber reconnects (${kind})`, () => {
    let redis: RedisProcess | undefined;
    let backend: Backend;
    let app: InProcessApp;
    // Every node's address (host:port).
    let nodes: string[];

    beforeAll(async () => {
      if (kind === "redis") {
        redis = await startRedisProcess();
        backend = await prepareBackend("postgres+redis", "live_catch_up");
        backend.env.REDIS_URL = redis.url;
        nodes = [new URL(redis.url).host];
      } else {
        backend = await prepareBackend("postgres+redis-cluster", "live_catch_up_cluster");
        nodes = backend.env.REDIS_CLUSTER_NODES!.split(",");
      }
      app = await startInProcessApp(backend.env);
    });

    afterAll(async () => {
      await app?.stop();
      await redis?.stop();
      await backend?.cleanup();
    });

    const setKey = async (key: string, value: string) => {
      const writer = kind === "redis" ? createClient({ url: `redis://${nodes[0]}` }) : createCluster({ rootNodes: nodes.map((n) => ({ url: `redis://${n}` })) });
      writer.on("error", () => {});
      await writer.connect();
      try {
        await writer.set(key, value, { expiration: { type: "EX", value: 120 } });
      } finally {
        await writer.close();
      }
    };

    // Kills every pub/sub connection on every node (ours are the only ones on these servers).
    const killSubscribers = async () => {
      let killed = 0;
      for (const node of nodes) {
        const raw = createClient({ url: `redis://${node}` });
        await raw.connect();
        try {
          killed += Number(await raw.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]));
        } finally {
          await raw.close();
        }
      }
      return killed;
    };

    it("is rotated when its session ended while the subscriber was away, and reads its cart again otherwise", async () => {
      const ended = new Shopper(app.url, app.fetch);
      const kept = new Shopper(app.url, app.fetch);
      expect((await ended.add("sku-tee-black-m", 1)).status).toBe(200);
      const keptAdd = await kept.add("sku-mug-stoneware", 1);
      const endedStream = await openLive(ended, app.fetch);
      const keptStream = await openLive(kept, app.fetch);
      expect((await endedStream.next())?.event).toBe("cart");
      expect((await keptStream.next())?.id).toBe(String(keptAdd.body.version));

      // The session's tombstone, written as endSessionRecord writes it, with no message published.
      const cookie = [...ended.cookies.values()][0]!;
      const unsealed = await app.cart.runtime.run(() => unsealSession(cookie));
      const { sid, cid } = unsealed!.data;
      const tombstone = { startedAt: Date.now() - 1000, cartId: cid, userId: null, revoked: true, endedAt: Date.now() };
      await setKey(`${backend.env.STORE_KEY_PREFIX}sess:${sid}`, `1:${JSON.stringify(tombstone)}`);

      // The subscriber's connection drops; node-redis reconnects and subscribes again by itself.
      expect(await killSubscribers()).toBeGreaterThanOrEqual(1);
      expect(await endedStream.next(10_000)).toMatchObject({ event: "rotated", data: "{}" });
      await endedStream.ended;

      // The other stream stands, and hears the next change as before.
      const added = await kept.add("sku-mug-stoneware", 1);
      const event = await keptStream.next();
      expect(event?.id).toBe(String(added.body.version));
      keptStream.close();
    });
  });
}
