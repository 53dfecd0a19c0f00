import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { prepareBackend, type Backend, type BackendKind } from "../support/backends";
import { Shopper } from "../support/shopper";

/**
 * The contract's routes on one backend combination, through the module's own route handlers
 * in this process (test/support/in-process-app.ts: the pipeline `next start` runs, on the real
 * Postgres or PGlite and Redis or in-process store), plus one smoke through a real
 * `next start` of the built app. Each backend file calls this once; suites share nothing.
 */
const TEE = "sku-tee-black-m";
const HOODIE = "sku-hoodie-grey-m";
const MUG = "sku-mug-stoneware";
const RETIRED = "sku-scarf-plaid";
const MAX_LINES = 20;

function expectError(reply: { status: number; body: any }, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(JSON.stringify(reply.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+|select |insert /i);
}

export function defineCartSuite(kind: BackendKind) {
  // The real server of the smoke below boots (on a backend of its own) while the in-process
  // suite runs, rather than after it: started by the first beforeAll, awaited by the smoke's.
  let smoke: Promise<{ backend: Backend; app: AppServer }> | undefined;
  const startSmoke = () => {
    smoke ??= (async () => {
      const backend = await prepareBackend(kind, `${kind.replace(/\W/g, "_")}_idle`);
      try {
        return { backend, app: await startApp({ ...backend.env, GUEST_SESSION_IDLE_SECONDS: "2" }) };
      } catch (err) {
        await backend.cleanup();
        throw err;
      }
    })();
    // Awaited (and its failure reported) by the smoke's beforeAll.
    smoke.catch(() => {});
    return smoke;
  };
  // Stopped once the file is done, whichever of its tests ran.
  afterAll(async () => {
    const started = await smoke?.catch(() => undefined);
    await started?.app.stop();
    await started?.backend.cleanup();
  });

  describe(`cart API on ${kind}`, () => {
    let backend: Backend;
    let app: InProcessApp;
    const shopper = () => new Shopper(app.url, app.fetch);

    beforeAll(async () => {
      void startSmoke();
      backend = await prepareBackend(kind, kind.replace(/\W/g, "_"));
      app = await startInProcessApp({ ...backend.env, CART_MAX_LINES: String(MAX_LINES) });
    });

    afterAll(async () => {
      await app?.stop();
      await backend?.cleanup();
    });

    it("lists the catalog, including products no longer sold", async () => {
      const { status, body } = await shopper().request("GET", "/api/products");
      expect(status).toBe(200);
      expect(body.products).toHaveLength(24);
      expect(body.products.find((p: any) => p.id === RETIRED)).toMatchObject({ active: false });
      expect(body.products[0]).toEqual({
        id: expect.any(String),
        slug: expect.any(String),
        name: expect.any(String),
        description: expect.any(String),
        price: expect.any(Number),
        currency: "USD",
        active: expect.any(Boolean),
      });
    });

    it("gives a new visitor an empty cart and a sealed, HttpOnly session cookie", async () => {
      const s = shopper();
      const res = await s.getCart();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: null, version: 0, currency: "USD", items: [], note: null, itemCount: 0, subtotal: 0, updatedAt: null, notices: [] });
      expect(res.headers.get("etag")).toBe('"0"');
      expect(res.headers.get("cache-control")).toBe("no-store");
      const setCookie = res.headers.getSetCookie().join("\n");
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      expect(setCookie).toMatch(/Secure/);
      expect(setCookie).toMatch(/^__Host-cart_session=Fe26\.2\*/);
      // The cookie's content is sealed: no ids in clear text.
      expect(setCookie).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    });

    it("adds, sums quantities on the same line, keeps the order of first adds", async () => {
      const s = shopper();
      let res = await s.add(TEE);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ version: 1, itemCount: 1, items: [{ productId: TEE, quantity: 1, unitPrice: 2500, addedUnitPrice: 2500, lineTotal: 2500, available: true }] });
      expect(res.body.id).toEqual(expect.any(String));
      expect(res.headers.get("etag")).toBe('"1"');
      res = await s.add(HOODIE, 2);
      res = await s.add(TEE, 3);
      expect(res.body.version).toBe(3);
      expect(res.body.items.map((i: any) => [i.productId, i.quantity])).toEqual([
        [TEE, 4],
        [HOODIE, 2],
      ]);
      expect(res.body.itemCount).toBe(6);
      expect(res.body.subtotal).toBe(4 * 2500 + 2 * 6800);
      const again = await s.getCart();
      expect(again.body).toEqual(res.body);
      expect(again.headers.get("etag")).toBe('"3"');
    });

    it("keeps each shopper's cart to themselves", async () => {
      const a = shopper();
      const b = shopper();
      await a.add(MUG, 2);
      expect((await b.getCart()).body.items).toEqual([]);
      expect((await a.getCart()).body.items).toHaveLength(1);
    });

    it("rejects bad bodies with the contract's codes and changes nothing", async () => {
      const s = shopper();
      await s.add(TEE);
      const before = (await s.getCart()).body;
      expectError(await s.request("POST", "/api/cart/items", { body: JSON.stringify({ productId: TEE }), headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
      expectError(await s.request("POST", "/api/cart/items", { body: JSON.stringify({ productId: TEE }) }), 415, "UNSUPPORTED_MEDIA_TYPE");
      expectError(await s.request("POST", "/api/cart/items", { body: "{nope", headers: { "content-type": "application/json" } }), 400, "MALFORMED_JSON");
      expectError(await s.request("POST", "/api/cart/items", { json: { productId: TEE, pad: "x".repeat(17 * 1024) } }), 413, "PAYLOAD_TOO_LARGE");
      const invalid: unknown[] = [
        { productId: TEE, quantity: "2" },
        { productId: TEE, quantity: 1.5 },
        { productId: TEE, quantity: 0 },
        { productId: TEE, quantity: -1 },
        { productId: TEE, quantity: 1e20 },
        { productId: TEE, extra: true },
        { quantity: 1 },
        { productId: 42 },
        { productId: "bad\u0000id" },
        [],
        null,
      ];
      for (const json of invalid) {
        const res = await s.request("POST", "/api/cart/items", { json });
        expectError(res, 422, "VALIDATION_ERROR");
        expect(res.body.error.details).toEqual(expect.any(Array));
      }
      const proto = await s.request("POST", "/api/cart/items", { body: `{"productId":"${TEE}","__proto__":{"quantity":50}}`, headers: { "content-type": "application/json" } });
      expectError(proto, 422, "VALIDATION_ERROR");
      const fraction = await s.request("POST", "/api/cart/items", { json: { productId: TEE, quantity: 2.5 } });
      expect(fraction.body.error.details[0].path).toEqual(["quantity"]);
      expect((await s.getCart()).body).toEqual(before);
    });

    it("answers unknown and retired products, and the quantity and line limits", async () => {
      const s = shopper();
      expectError(await s.add("sku-does-not-exist"), 422, "PRODUCT_NOT_FOUND");
      expectError(await s.add(RETIRED), 422, "PRODUCT_UNAVAILABLE");
      await s.add(TEE, 98);
      expectError(await s.add(TEE, 2), 422, "QUANTITY_LIMIT");
      expectError(await s.add(HOODIE, 100), 422, "QUANTITY_LIMIT");
      const products = (await s.request("GET", "/api/products")).body.products.filter((p: any) => p.active && p.id !== TEE);
      for (const p of products.slice(0, MAX_LINES - 1)) expect((await s.add(p.id)).status).toBe(200);
      const full = (await s.getCart()).body;
      expect(full.items).toHaveLength(MAX_LINES);
      expectError(await s.add(products[MAX_LINES - 1].id), 422, "LINE_LIMIT");
      expect((await s.add(TEE, 1)).body.items[0].quantity).toBe(99);
      expect((await s.getCart()).body.items).toHaveLength(MAX_LINES);
    });

    it("sets quantities, treats a no-op as no change, removes with 0", async () => {
      const s = shopper();
      await s.add(TEE);
      await s.add(MUG);
      let res = await s.setQuantity(TEE, 5);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ version: 3, itemCount: 6 });
      res = await s.setQuantity(TEE, 5);
      expect(res.body.version).toBe(3);
      expectError(await s.setQuantity(TEE, 100), 422, "QUANTITY_LIMIT");
      expectError(await s.setQuantity(HOODIE, 2), 404, "ITEM_NOT_FOUND");
      expectError(await s.request("PATCH", `/api/cart/items/${TEE}`, { json: { quantity: "3" } }), 422, "VALIDATION_ERROR");
      expectError(await s.request("PATCH", `/api/cart/items/${TEE}`, { json: { quantity: 3, productId: TEE } }), 422, "VALIDATION_ERROR");
      expectError(await s.request("PATCH", "/api/cart/items/%00bad", { json: { quantity: 3 } }), 422, "VALIDATION_ERROR");
      res = await s.setQuantity(TEE, 0);
      expect(res.body.items.map((i: any) => i.productId)).toEqual([MUG]);
      expect(res.body.version).toBe(4);
    });

    it("removes lines idempotently and clears the cart", async () => {
      const s = shopper();
      await s.add(TEE);
      await s.add(MUG);
      let res = await s.remove(TEE);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ version: 3, itemCount: 1 });
      res = await s.remove(TEE);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(3);
      res = await s.clear();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], itemCount: 0, subtotal: 0, version: 4 });
      res = await s.clear();
      expect(res.body.version).toBe(4);
      expect((await shopper().clear()).body).toMatchObject({ id: null, version: 0, items: [] });
      expect((await shopper().remove(TEE)).body).toMatchObject({ id: null, version: 0 });
    });

    it("honours If-Match with strong ETags only", async () => {
      const s = shopper();
      const first = await s.add(TEE);
      const ok = await s.add(TEE, 1, { "if-match": first.headers.get("etag")! });
      expect(ok.status).toBe(200);
      expect(ok.body.version).toBe(2);
      const stale = await s.setQuantity(TEE, 7, { "if-match": '"1"' });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ error: { code: "VERSION_CONFLICT" }, cart: { version: 2, items: [{ quantity: 2 }] } });
      expect((await s.remove(TEE, { "if-match": 'W/"2"' })).status).toBe(412);
      expect((await s.getCart()).body.items[0].quantity).toBe(2);
      expect((await shopper().add(TEE, 1, { "if-match": '"3"' })).status).toBe(412);
      expect((await shopper().add(TEE, 1, { "if-match": '"0"' })).status).toBe(200);
    });

    it("refuses cross-origin changes and changes nothing", async () => {
      const s = shopper();
      await s.add(TEE);
      const before = (await s.getCart()).body;
      expectError(await s.add(TEE, 1, { origin: "https://evil.example" }), 403, "FORBIDDEN_ORIGIN");
      expectError(await s.add(TEE, 1, { origin: "null" }), 403, "FORBIDDEN_ORIGIN");
      expectError(await s.clear({ "sec-fetch-site": "cross-site" }), 403, "FORBIDDEN_ORIGIN");
      expectError(await s.setQuantity(TEE, 9, { origin: "http://127.0.0.1:1" }), 403, "FORBIDDEN_ORIGIN");
      expect((await s.getCart()).body).toEqual(before);
      expect((await s.add(TEE, 1, { origin: app.url })).status).toBe(200);
    });

    it("answers the session route and the health route", async () => {
      const s = shopper();
      const res = await s.request("GET", "/api/session");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user: null, idleTimeoutSeconds: 1800 });
      expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.startedAt)).toBeGreaterThanOrEqual(1800 * 1000 - 5000);
      const again = await s.request("GET", "/api/session");
      expect(again.body.startedAt).toBe(res.body.startedAt);
      const health = await s.request("GET", "/api/health");
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: "ok", checks: { postgres: { ok: true }, redis: { ok: true } } });
    });

    it("gives a tampered or foreign cookie a fresh guest session, never an error", async () => {
      const s = shopper();
      await s.add(TEE, 3);
      const [name, value] = [...s.cookies][0]!;
      // One character of the seal changed (to a different one, whatever it was).
      const tampered = value.slice(0, -12) + (value.at(-12) === "a" ? "b" : "a") + value.slice(-11);
      for (const bad of [tampered, value.slice(0, 40), "garbage", "Fe26.2**x*y*z*1*2*3~2"]) {
        const res = await s.request("GET", "/api/cart", { headers: { cookie: `${name}=${bad}` } });
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
      }
      s.cookies.set(name, value); // the jar took the fresh sessions' cookies; the original still works
      expect((await s.getCart()).body.items[0].quantity).toBe(3);
    });

    it("ends 50 concurrent adds of one product at exactly 50, version +50", async () => {
      const s = shopper();
      await s.add(MUG);
      const results = await Promise.all(Array.from({ length: 50 }, () => s.add(TEE)));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      const cart = (await s.getCart()).body;
      expect(cart.items.find((i: any) => i.productId === TEE).quantity).toBe(50);
      expect(cart.version).toBe(51);
      expect(new Set(results.map((r) => r.body.version)).size).toBe(50);
    });

    it("shares one cart between concurrent first adds of a new session", async () => {
      const s = shopper();
      await s.getCart(); // the session exists, its cart does not yet
      const results = await Promise.all(Array.from({ length: 10 }, () => s.add(HOODIE)));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect((await s.getCart()).body).toMatchObject({ version: 10, items: [{ productId: HOODIE, quantity: 10 }] });
    });

    it("keeps the cart across a process restart", async () => {
      const s = shopper();
      await s.add(TEE, 2);
      await s.add(MUG, 1);
      const before = (await s.getCart()).body;
      await app.restart();
      expect((await s.getCart()).body).toEqual(before);
      expect((await s.add(TEE)).body.items[0].quantity).toBe(3);
    });
  });

  // One real `next start` of the built app on this backend, for what only a server shows: its
  // HTTP, its cookies, its process. It also runs the idle expiry, whose clock is the store's own
  // (Redis expires keys in real time).
  describe(`guest session expiry through next start on ${kind}`, () => {
    let app: AppServer;

    beforeAll(async () => {
      ({ app } = await startSmoke());
    });

    it("starts a new session after the idle timeout and brings the cart back", async () => {
      const s = new Shopper(app.url);
      await s.add(TEE, 2);
      const first = (await s.request("GET", "/api/session")).body;
      expect(first.idleTimeoutSeconds).toBe(2);
      // Activity within the timeout slides it.
      for (let i = 0; i < 3; i += 1) {
        await new Promise((r) => setTimeout(r, 1000));
        expect((await s.request("GET", "/api/session")).body.startedAt).toBe(first.startedAt);
      }
      const cookieBefore = s.cookieHeader();
      await new Promise((r) => setTimeout(r, 3000));
      const cart = await s.getCart();
      expect(cart.body.items).toMatchObject([{ productId: TEE, quantity: 2 }]);
      expect(s.cookieHeader()).not.toBe(cookieBefore);
      const second = (await s.request("GET", "/api/session")).body;
      expect(Date.parse(second.startedAt)).toBeGreaterThan(Date.parse(first.startedAt));
      expect((await s.add(TEE)).body.items[0].quantity).toBe(3);
    });
  });
}
