import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Rate limits with small numbers: per session (writes and reads counted
 * apart), per client address behind a trusted proxy, on the API and on the
 * server actions; a refused request changes nothing; an outage of the store
 * fails open.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const WRITES = 5;
const READS = 10;
const PER_ADDRESS = 30;

/** Limits count per fixed minute: start a test early in a window so it cannot straddle two. */
async function freshWindow(needMs = 10_000) {
  const into = Date.now() % 60_000;
  if (into > 60_000 - needMs) await new Promise((r) => setTimeout(r, 60_000 - into + 250));
}

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
 * X-Forwarded-For counts by its socket address, which Next.js fills in: 127.0.0.1 here,
 * shared by every test; each test therefore speaks from its own address.)
 */
class ShopperAt extends Shopper {
  constructor(baseUrl: string, readonly address: string) {
    super(baseUrl);
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
  let app: AppServer;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "rate_limit");
    // A generous store timeout: a limit that fails open on a slow moment would make counts inexact.
    app = await startApp({ ...backend.env, ...limitEnv, TRUST_PROXY: "1", STORE_TIMEOUT_MS: "2000" });
  });

  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("refuses the write after the limit with 429 and Retry-After, changing nothing; reads and other sessions go on", async () => {
    await freshWindow();
    const s = new ShopperAt(app.url, "198.51.100.1");
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

    const other = new ShopperAt(app.url, "198.51.100.1");
    const otherAdd = await other.add(MUG);
    expect(otherAdd.status).toBe(200);
    expect(otherAdd.body.items).toMatchObject([{ productId: MUG, quantity: 1 }]);
  });

  it("counts reads apart from writes, across the session's read routes", async () => {
    await freshWindow();
    const s = new ShopperAt(app.url, "198.51.100.2");
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
    await freshWindow();
    const from = (address: string) => ({ "x-forwarded-for": `192.0.2.250, ${address}` });
    // New visitors without a cookie get a new session each time: only the address binds them.
    for (let i = 0; i < PER_ADDRESS; i += 1) {
      const reply = await new Shopper(app.url).request("GET", "/api/cart", { headers: from("203.0.113.7") });
      expect(reply.status).toBe(200);
    }
    expectLimited(await new Shopper(app.url).request("GET", "/api/cart", { headers: from("203.0.113.7") }));
    expectLimited(await new Shopper(app.url).request("POST", "/api/cart/items", { json: { productId: TEE }, headers: from("203.0.113.7") }));
    // Only the entry the proxy appended names the client: what the client wrote before it changes nothing.
    expectLimited(await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-forwarded-for": "192.0.2.99, 203.0.113.7" } }));
    expectLimited(await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-forwarded-for": "garbage, 203.0.113.7" } }));
    expect((await new Shopper(app.url).request("GET", "/api/cart", { headers: from("203.0.113.8") })).status).toBe(200);
  });

  it("counts an IPv6 client by its /64 network", async () => {
    await freshWindow();
    for (let i = 0; i < PER_ADDRESS; i += 1) {
      const host = (i + 1).toString(16);
      const reply = await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-forwarded-for": `2001:db8:aa:bb::${host}` } });
      expect(reply.status).toBe(200);
    }
    expectLimited(await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-forwarded-for": "2001:db8:aa:bb:ffff:1:2:3" } }));
    expect((await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-forwarded-for": "2001:db8:aa:cc::1" } })).status).toBe(200);
  });

  it("applies the write limit to the server actions (a form post without JavaScript)", async () => {
    await freshWindow();
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"));
    const actionId = Object.entries(manifest.node as Record<string, { exportedName?: string }>).find(([, v]) => v.exportedName === "addToCartAction")?.[0];
    expect(actionId).toEqual(expect.any(String));

    const s = new ShopperAt(app.url, "198.51.100.3");
    expect((await s.getCart()).status).toBe(200);
    const post = async () => {
      const form = new FormData();
      form.set(`$ACTION_ID_${actionId}`, "");
      form.set("productId", MUG);
      form.set("quantity", "1");
      form.set("returnTo", "/cart");
      const res = await fetch(`${app.url}/cart`, { method: "POST", body: form, headers: { cookie: s.cookieHeader(), origin: app.url, "x-forwarded-for": s.address }, redirect: "manual" });
      await res.arrayBuffer();
      return res;
    };
    for (let i = 0; i < WRITES; i += 1) {
      const res = await post();
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/cart$/);
    }
    const refused = await post();
    expect(refused.status).toBe(303);
    expect(refused.headers.get("location")).toMatch(/^\/cart\?cartError=RATE_LIMITED$/);
    // The API shares the session's write budget, and the refused post changed nothing.
    expectLimited(await s.add(MUG));
    expect((await s.getCart()).body.items).toMatchObject([{ productId: MUG, quantity: WRITES }]);
  });
});

describe("rate limits when the store is down", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: AppServer;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "rate_limit_open");
    app = await startApp({ ...backend.env, ...limitEnv, REDIS_URL: redis.url, STORE_TIMEOUT_MS: "100" });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  it("fails open: shoppers are not blocked because Redis is away, and limits apply again when it is back", async () => {
    await freshWindow(15_000);
    const s = new Shopper(app.url);
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
