import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_METRICS_TOKEN } from "../support/app";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend, type BackendKind } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { openLive, type LiveConnection, type LiveEvent } from "../support/live";
import { Shopper } from "../support/shopper";
import { watchTableWork, type TableWork } from "../support/table-work";

/**
 * Live carts (GET /api/cart/live, Server-Sent Events) on one backend combination, through the
 * module's own route handlers in this process: the in-process fan-out on the embedded default,
 * Redis pub/sub (one subscription per process) on Redis, sharded pub/sub on Redis Cluster.
 * With Redis, a change reaches even this instance's own streams through Redis (the one path
 * every instance shares), so these tests cross the real pub/sub. Each backend file calls this
 * once. How long a change took to arrive is logged, never asserted.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const PASSWORD = "correct horse battery";
// Small, so the limit is reached with a handful of streams; every test closes its own.
const MAX_STREAMS = 4;

const cartOf = (event: LiveEvent | null) => {
  expect(event?.event).toBe("cart");
  return JSON.parse(event!.data);
};
const quantities = (cart: any) => Object.fromEntries(cart.items.map((i: any) => [i.productId, i.quantity]));

// The instance's channels and their subscribers, as the Redis server counts them.
interface Subscriptions {
  // The pub/sub channels (sharded ones on a cluster) named under the instance's key prefix.
  channels: string[];
  // Connections subscribed to the live channel.
  subscribers: number;
}

// What this backend's channel carries, read by a subscriber of the test's own (Redis, Redis
// Cluster: sharded), and what the server says of the prefix's subscriptions.
async function watchChannel(env: Record<string, string>): Promise<{ messages: any[]; subscriptions(): Promise<Subscriptions>; close(): Promise<void> } | null> {
  const channel = `${env.STORE_KEY_PREFIX}live`;
  const named = `${env.STORE_KEY_PREFIX}*`;
  const messages: any[] = [];
  const listener = (text: string) => messages.push(JSON.parse(text));
  const { createClient, createCluster } = await import("redis");
  if (env.REDIS_URL) {
    const client = createClient({ url: env.REDIS_URL });
    await client.connect();
    await client.subscribe(channel, listener);
    // A subscribed connection takes no other commands: another one asks.
    const asking = createClient({ url: env.REDIS_URL });
    await asking.connect();
    return {
      messages,
      async subscriptions() {
        const channels = await asking.sendCommand<string[]>(["PUBSUB", "CHANNELS", named]);
        const [, subscribers] = await asking.sendCommand<[string, number]>(["PUBSUB", "NUMSUB", channel]);
        return { channels: channels.sort(), subscribers };
      },
      close: async () => void (await Promise.all([client.close(), asking.close()])),
    };
  }
  if (env.REDIS_CLUSTER_NODES) {
    const cluster = createCluster({ rootNodes: env.REDIS_CLUSTER_NODES.split(",").map((node) => ({ url: `redis://${node}` })) });
    cluster.on("error", () => {});
    await cluster.connect();
    await cluster.sSubscribe(channel, listener);
    return {
      messages,
      async subscriptions() {
        // A sharded channel lives on the master of its slot (where node-redis subscribes): each
        // master lists and counts its own, so the sums are the cluster's.
        const perMaster = await Promise.all(
          cluster.masters.map(async (master) => {
            const node = await cluster.nodeClient(master);
            const channels = await node.sendCommand<string[]>(["PUBSUB", "SHARDCHANNELS", named]);
            const [, subscribers] = await node.sendCommand<[string, number]>(["PUBSUB", "SHARDNUMSUB", channel]);
            return { channels, subscribers };
          }),
        );
        return { channels: perMaster.flatMap((m) => m.channels).sort(), subscribers: perMaster.reduce((sum, m) => sum + m.subscribers, 0) };
      },
      close: async () => void (await cluster.close()),
    };
  }
  return null;
}

export function defineLiveSuite(kind: BackendKind) {
  describe(`live carts on ${kind}`, () => {
    let backend: Backend;
    let app: InProcessApp;
    let channel: Awaited<ReturnType<typeof watchChannel>>;
    let work: TableWork;
    const open: LiveConnection[] = [];
    const shopper = () => new Shopper(app.url, app.fetch);
    const live = async (s: Shopper, headers: Record<string, string> = {}) => {
      const connection = await openLive(s, app.fetch, headers);
      open.push(connection);
      return connection;
    };

    beforeAll(async () => {
      backend = await prepareBackend(kind, `live_${kind.replace(/\W/g, "_")}`);
      // Admission control on, below the stream limit: an open stream must not hold a request slot.
      app = await startInProcessApp({ ...backend.env, LIVE_MAX_STREAMS: String(MAX_STREAMS), LIVE_KEEPALIVE_SECONDS: "1", ADMISSION_MAX_IN_FLIGHT: "2" });
      channel = await watchChannel(backend.env);
      work = await watchTableWork(app);
    });

    afterEach(async () => {
      for (const c of open.splice(0)) c.close();
    });

    afterAll(async () => {
      await channel?.close();
      await work?.close();
      await app?.stop();
      await backend?.cleanup();
    });

    // Two devices (cookie jars) signed in as one new user.
    async function twoDevices(tag: string): Promise<[Shopper, Shopper]> {
      const email = uniqueEmail(tag);
      expect((await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
      const phone = shopper();
      const laptop = shopper();
      expect((await signIn(phone, email, PASSWORD)).status).toBe(302);
      expect((await signIn(laptop, email, PASSWORD)).status).toBe(302);
      return [phone, laptop];
    }

    it("sends the cart at once, then a change made on one device to the other device's stream", async () => {
      const [phone, laptop] = await twoDevices("live_two");
      expect((await phone.add(TEE, 1)).status).toBe(200);
      const stream = await live(laptop);
      expect(stream.status).toBe(200);
      expect(stream.headers.get("content-type")).toBe("text/event-stream");
      expect(stream.headers.get("cache-control")).toMatch(/^no-store/);
      expect(stream.headers.get("x-accel-buffering")).toBe("no");
      expect(stream.headers.get("x-request-id")).toBeTruthy();
      const first = await stream.next();
      const initial = cartOf(first);
      expect(first!.id).toBe(String(initial.version));
      expect(quantities(initial)).toEqual({ [TEE]: 1 });
      // The same JSON GET /api/cart answers.
      expect(initial).toEqual((await laptop.getCart()).body);

      const started = performance.now();
      const added = await phone.add(MUG, 2);
      expect(added.status).toBe(200);
      const event = await stream.next();
      const elapsed = performance.now() - started;
      const pushed = cartOf(event);
      expect(event!.id).toBe(String(added.body.version));
      expect(pushed).toEqual(added.body);
      expect(quantities(pushed)).toEqual({ [TEE]: 1, [MUG]: 2 });
      console.info(`[live ${kind}] a change on one device reached the other's stream ${elapsed.toFixed(1)} ms after the request was sent`);
      if (channel) {
        // It crossed the store's pub/sub (SPUBLISH on a cluster): a small message, the cart id and version, no cart.
        const published = { c: added.body.id, v: added.body.version, u: expect.any(String) };
        await expect.poll(() => channel!.messages, { timeout: 5_000 }).toContainEqual(published);
      }
    });

    it("resumes from Last-Event-ID: nothing while it names the current version, the cart when it is newer", async () => {
      const [phone, laptop] = await twoDevices("live_resume");
      const v1 = (await phone.add(TEE, 1)).body.version;
      const resumed = await live(laptop, { "last-event-id": String(v1) });
      expect(resumed.status).toBe(200);
      // A comment comes at once, before any keep-alive: the stream is open (a server sends its
      // headers with the first bytes) and sent no cart.
      await resumed.nextComment();
      expect(resumed.commentTexts[0]).toBe("resumed");
      expect(resumed.events).toEqual([]);
      const v2 = (await phone.add(MUG, 1)).body.version;
      const event = await resumed.next();
      expect(event!.id).toBe(String(v2));
      expect(quantities(cartOf(event))).toEqual({ [TEE]: 1, [MUG]: 1 });

      // Reconnecting with an older id: the current cart at once.
      const behind = await live(laptop, { "last-event-id": String(v1) });
      const caughtUp = await behind.next();
      expect(caughtUp!.id).toBe(String(v2));
    });

    it("ends a device's stream with `rotated` when it signs out, and keeps the other device's", async () => {
      const [phone, laptop] = await twoDevices("live_signout");
      const laptopStream = await live(laptop);
      const phoneStream = await live(phone);
      cartOf(await laptopStream.next());
      cartOf(await phoneStream.next());

      const endedBefore = channel?.messages.filter((m) => "s" in m).length ?? 0;
      expect((await signOut(laptop)).status).toBe(302);
      const rotated = await laptopStream.next();
      expect(rotated).toMatchObject({ event: "rotated", data: "{}" });
      // The stream ends after it.
      await laptopStream.ended;
      // The session's end crossed the pub/sub too (as a session id: nothing else).
      if (channel) await expect.poll(() => channel!.messages.filter((m) => "s" in m).length).toBeGreaterThan(endedBefore);
      expect(await laptopStream.next()).toBeNull();

      // The phone's session stands: its stream still follows the cart.
      const added = await phone.add(TEE, 3);
      const event = await phoneStream.next();
      expect(event!.id).toBe(String(added.body.version));
      expect(phoneStream.events.some((e) => e.event === "rotated")).toBe(false);
    });

    it("follows a guest's own cart, and rotates it when the guest signs in", async () => {
      const guest = shopper();
      expect((await guest.add(TEE, 1)).status).toBe(200);
      const stream = await live(guest);
      expect(quantities(cartOf(await stream.next()))).toEqual({ [TEE]: 1 });

      // Another guest's change is not this cart's: the next event is the guest's own.
      expect((await shopper().add(MUG, 5)).status).toBe(200);
      const own = await guest.add(MUG, 1);
      const event = await stream.next();
      expect(cartOf(event)).toEqual(own.body);

      const email = uniqueEmail("live_guest");
      expect((await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
      expect((await signIn(guest, email, PASSWORD)).status).toBe(302);
      expect(await stream.next()).toMatchObject({ event: "rotated" });
      await stream.ended;
    });

    it("gives a new visitor its cookie and its (empty) cart, then its first change", async () => {
      const visitor = shopper();
      const stream = await live(visitor);
      expect(visitor.cookies.size).toBe(1);
      const empty = cartOf(await stream.next());
      expect(empty).toMatchObject({ version: 0, items: [] });
      const added = await visitor.add(TEE, 2);
      expect(added.status).toBe(200);
      expect(cartOf(await stream.next())).toEqual(added.body);
    });

    it(`refuses a stream past LIVE_MAX_STREAMS (${MAX_STREAMS}) with 503 OVERLOADED and Retry-After, and counts a closed one out`, async () => {
      const s = shopper();
      const streams: LiveConnection[] = [];
      for (let i = 0; i < MAX_STREAMS; i++) {
        const stream = await live(s);
        expect(stream.status).toBe(200);
        streams.push(stream);
      }
      const metrics = await s.request("GET", "/api/metrics", { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
      expect(metrics.body).toMatch(new RegExp(`^cart_live_streams ${MAX_STREAMS}$`, "m"));
      const refused = await live(s);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(refused.refusal).toMatchObject({ error: { code: "OVERLOADED" } });
      // Ordinary requests are not held back by the open streams: admission (ADMISSION_MAX_IN_FLIGHT=2
      // here) counts a stream only until its headers are sent.
      for (let i = 0; i < 3; i++) expect((await s.getCart()).status).toBe(200);
      expect((await s.add(TEE, 1)).status).toBe(200);

      // A client that goes away frees its place.
      streams[0]!.close();
      await streams[0]!.ended;
      let reopened: LiveConnection | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        reopened = await live(s);
        if (reopened.status === 200) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(reopened!.status).toBe(200);
    });

    // Where the store is Redis: what the server itself counts of the instance's subscriptions.
    if (kind !== "pglite+memory") {
      it(`holds one subscription per instance, not per stream or cart: one channel (<prefix>live), one subscribed connection, for ${MAX_STREAMS} streams of 3 carts`, async () => {
        const [phone, laptop] = await twoDevices("live_one_subscription");
        expect((await phone.add(TEE, 1)).status).toBe(200);
        const guests = [shopper(), shopper()];
        for (const guest of guests) expect((await guest.add(MUG, 1)).status).toBe(200);
        // Two streams of the user's cart (two devices), one for each guest's cart: the instance's limit.
        const streams = [await live(phone), await live(laptop), ...(await Promise.all(guests.map((guest) => live(guest))))];
        expect(streams).toHaveLength(MAX_STREAMS);
        for (const stream of streams) cartOf(await stream.next());
        const liveChannel = `${backend.env.STORE_KEY_PREFIX}live`;
        // The other subscriber is this suite's own watcher (watchChannel).
        const subscribed = { channels: [liveChannel], subscribers: 2 };
        expect(await channel!.subscriptions()).toEqual(subscribed);
        // Every stream still hears its cart through that one subscription.
        const added = await laptop.add(MUG, 2);
        for (const stream of streams.slice(0, 2)) expect((await stream.next())!.id).toBe(String(added.body.version));
        // Streams that end take nothing with them while one is left: the subscription is the instance's.
        const leaving = streams.slice(0, -1);
        for (const stream of leaving) stream.close();
        await Promise.all(leaving.map((stream) => stream.ended));
        expect(await channel!.subscriptions()).toEqual(subscribed);
      });
    }

    it("sends a keep-alive comment while nothing changes", async () => {
      const stream = await live(shopper());
      cartOf(await stream.next());
      await stream.nextComment();
      await stream.nextComment();
      expect(stream.comments).toBeGreaterThanOrEqual(2);
      expect(stream.events).toHaveLength(1);
    });

    it("costs no Postgres work while nothing changes: no table scanned or written across an open stream's keep-alives", async () => {
      const s = shopper();
      expect((await s.add(TEE, 1)).status).toBe(200);
      const stream = await live(s);
      cartOf(await stream.next());
      // Settled: the stream's first read is done and it has gone quiet.
      await stream.nextComment();
      const before = await work.read();
      // The second call waits for a keep-alive (LIVE_KEEPALIVE_SECONDS=1) written after the first returned.
      await stream.nextComment();
      await stream.nextComment();
      expect(await work.read()).toBe(before);
      expect(stream.events).toHaveLength(1);
      // The counters do see the app's work: the next change, and the stream's read of it.
      const added = await s.add(MUG, 1);
      expect((await stream.next())!.id).toBe(String(added.body.version));
      expect(await work.read()).toBeGreaterThan(before);
    });
  });
}
