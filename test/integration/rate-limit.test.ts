import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Rate limits with small numbers: per session (writes and reads counted
 * apart), per client address behind a trusted proxy, on the API and on the
 * server actions; a refused request changes nothing; an outage of the store
 * fails open. The demo's instance runs in this process
 * (test/support/in-process-app.ts), the actions as Next.js calls them; the
 * limits' fixed minutes are the instance's clock, which each test moves to a
 * fresh minute instead of waiting for one.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const WRITES = 5;
const READS = 10;
const PER_ADDRESS = 30;

/** Limits count per fixed minute: each test starts in a minute of its own. */
const clock = new TestClock();
const freshWindow = () => clock.freshWindow();

function expectLimited(reply: Reply<any>) {
  expect(reply.status).toBe(429);
  const retryAfter = Number(reply.headers.get("retry-after"));
  // The wait is in the body too (details.retryAfterSeconds, added in contract v1.2 style: a new field).
  expect(reply.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.any(String), details: { retryAfterSeconds: retryAfter } } });
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(reply.headers.get("cache-control")).toBe("no-store");
}

/**
 * A shopper behind the trusted proxy at one client address: the proxy appends it on the
 * right, after whatever the client wrote. (With TRUST_PROXY=1 a request without
 * X-Forwarded-For counts by its socket address, which Next.js fills in: 127.0.0.1 under
 * next start, shared by every test; each test therefore speaks from its own address.)
 */
class ShopperAt extends Shopper {
  constructor(app: InProcessApp, readonly address: string) {
    super(app.url, app.fetch);
  }

  override request<T = any>(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
    return super.request<T>(method, path, { ...options, headers: { "x-forwarded-for": `192.0.2.250, ${this.address}`, ...options.headers } });
  }
}

const limitEnv = {
  RATE_LIMIT_DISABLED: "",
  RATE_LIMIT_WRITES_PER_MINUTE: String(WRITES),
  RATE_LIMIT_READS_PER_MINUTE: String(READS),
  RATE_LIMIT_IP_PER_MINUTE: String(PER_ADDRESS),
};

describe("rate limits (Postgres + Redis)", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "rate_limit");
    // A generous store timeout: a limit that fails open on a slow moment would make counts inexact.
    app = await startInProcessApp({ ...backend.env, ...limitEnv, TRUST_PROXY: "1", STORE_TIMEOUT_MS: "2000" }, { now: clock.now });
  });

  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("refuses the write after the limit with 429 and Retry-After, changing nothing; reads and other sessions go on", async () => {
    freshWindow();
    const s = new ShopperAt(app, "198.51.100.1");
    expect((await s.getCart()).status).toBe(200);
    for (let i = 1; i <= WRITES; i += 1) {
      const reply = await s.add(TEE);
      expect(reply.status).toBe(200);
      expect(reply.body.items[0].quantity).toBe(i);
    }
    const before = await s.getCart();
    expect(before.body).toMatchObject({ version: WRITES, items: [{ productId: TEE, quantity: WRITES }] });

    expectLimited(await s.add(TEE));
    expectLimited(await s.add(MUG, 2));
    expectLimited(await s.setQuantity(TEE, 1));
    expectLimited(await s.remove(TEE));
    expectLimited(await s.clear());
    // Refused before the body is read: even a malformed body is just "too many".
    expectLimited(await s.request("POST", "/api/cart/items", { body: "{nope", headers: { "content-type": "application/json" } }));

    const after = await s.getCart();
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
    expect(after.headers.get("etag")).toBe(`"${WRITES}"`);

    const other = new ShopperAt(app, "198.51.100.1");
    const otherAdd = await other.add(MUG);
    expect(otherAdd.status).toBe(200);
    expect(otherAdd.body.items).toMatchObject([{ productId: MUG, quantity: 1 }]);
  });

  it("counts reads apart from writes, across the session's read routes", async () => {
    freshWindow();
    const s = new ShopperAt(app, "198.51.100.2");
    // A visitor without a cookie has no session to count yet; this first read gives it one.
    expect((await s.getCart()).status).toBe(200);
    for (let i = 0; i < READS; i += 1) {
      const reply = i % 2 === 0 ? await s.getCart() : await s.request("GET", "/api/session");
      expect(reply.status).toBe(200);
    }
    expectLimited(await s.getCart());
    expectLimited(await s.request("GET", "/api/session"));
    // Writes have their own budget, and the catalog and health are not session routes.
    expect((await s.add(TEE)).status).toBe(200);
    expect((await s.request("GET", "/api/products")).status).toBe(200);
    expect((await s.request("GET", "/api/health")).status).toBe(200);
  });

  it("limits one client address (X-Forwarded-For behind a trusted proxy) across new visitors", async () => {
    freshWindow();
    const from = (address: string) => ({ "x-forwarded-for": `192.0.2.250, ${address}` });
    // New visitors without a cookie get a new session each time: only the address binds them.
    for (let i = 0; i < PER_ADDRESS; i += 1) {
      const reply = await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: from("203.0.113.7") });
      expect(reply.status).toBe(200);
    }
    expectLimited(await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: from("203.0.113.7") }));
    expectLimited(await new Shopper(app.url, app.fetch).request("POST", "/api/cart/items", { json: { productId: TEE }, headers: from("203.0.113.7") }));
    // Only the entry the proxy appended names the client: what the client wrote before it changes nothing.
    expectLimited(await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-forwarded-for": "192.0.2.99, 203.0.113.7" } }));
    expectLimited(await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-forwarded-for": "garbage, 203.0.113.7" } }));
    expect((await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: from("203.0.113.8") })).status).toBe(200);
  });

  it("counts an IPv6 client by its /64 network", async () => {
    freshWindow();
    for (let i = 0; i < PER_ADDRESS; i += 1) {
      const host = (i + 1).toString(16);
      const reply = await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-forwarded-for": `2001:db8:aa:bb::${host}` } });
      expect(reply.status).toBe(200);
    }
    expectLimited(await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-forwarded-for": "2001:db8:aa:bb:ffff:1:2:3" } }));
    expect((await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-forwarded-for": "2001:db8:aa:cc::1" } })).status).toBe(200);
  });

  it("applies the write limit to the server actions (a form post without JavaScript)", async () => {
    freshWindow();
    const s = new ShopperAt(app, "198.51.100.3");
    expect((await s.getCart()).status).toBe(200);
    // The demo's add action (app/actions/cart.ts) as Next.js calls it for a form post, redirect and all.
    const post = () => app.action(s, "add", { productId: MUG, quantity: "1", returnTo: "/cart" }, { headers: { "x-forwarded-for": s.address } });
    for (let i = 0; i < WRITES; i += 1) {
      const res = await post();
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/cart$/);
    }
    const refused = await post();
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/cart\?cartError=RATE_LIMITED$/);
    // The API shares the session's write budget, and the refused post changed nothing.
    expectLimited(await s.add(MUG));
    expect((await s.getCart()).body.items).toMatchObject([{ productId: MUG, quantity: WRITES }]);
  });
});

describe("rate limits when the store is down", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: InProcessApp;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "rate_limit_open");
    app = await startInProcessApp({ ...backend.env, ...limitEnv, REDIS_URL: redis.url, STORE_TIMEOUT_MS: "100" }, { now: clock.now });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  it("fails open: shoppers are not blocked because Redis is away, and limits apply again when it is back", async () => {
    freshWindow();
    const s = new Shopper(app.url, app.fetch);
    expect((await s.getCart()).status).toBe(200);
    await redis.kill();
    for (let i = 1; i <= WRITES * 2; i += 1) {
      const reply = await s.add(TEE);
      expect(reply.status).toBe(200);
      expect(reply.body.items[0].quantity).toBe(i);
    }
    await redis.start();
    // Back: the counters start again from nothing, and the limit binds again.
    let refused: Reply<any> | undefined;
    for (let i = 0; i < WRITES * 8 && !refused; i += 1) {
      const reply = await s.add(MUG);
      if (reply.status === 429) refused = reply;
      else expect(reply.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBeDefined();
    expectLimited(refused!);
  });
});
