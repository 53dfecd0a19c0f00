import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartCacheKey } from "@/lib/cart/cache";
import { prepareBackend, type Backend, type BackendKind } from "../support/backends";
import { signIn, uniqueEmail } from "../support/auth";
import { startInProcessApp, type CookieJar, type InProcessApp } from "../support/in-process-app";
import { TestClock } from "../support/clock";
import { Shopper } from "../support/shopper";

/**
 * Line properties, the note and the checkout handoff (contract v1.2) on one backend
 * combination, through the module's own route handlers, server actions and server API in this
 * process (test/support/in-process-app.ts), as test/integration/cart-suite.ts does for the
 * rest of the cart. Each backend file calls this once; suites share nothing.
 */
const TEE = "sku-tee-black-m";
const HOODIE = "sku-hoodie-grey-m";
const MUG = "sku-mug-stoneware";
const PASSWORD = "lines-suite-password-1";
const SECRET = "checkout-secret-0123456789";
const LINE_ID = /^sku-tee-black-m~[a-z0-9]{22}$/;

function expectError(reply: { status: number; body: any }, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(JSON.stringify(reply.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+|select |insert /i);
}

const lineOf = (cart: any, productId: string, properties: Record<string, string> = {}) =>
  cart.items.find((i: any) => i.productId === productId && JSON.stringify(i.properties) === JSON.stringify(properties));

export function defineLinesSuite(kind: BackendKind) {
  describe(`line properties, note and checkout on ${kind}`, () => {
    let backend: Backend;
    let app: InProcessApp;
    const shopper = () => new Shopper(app.url, app.fetch);
    const addWith = (s: Shopper, productId: string, properties: unknown, quantity = 1, headers: Record<string, string> = {}) =>
      s.request("POST", "/api/cart/items", { json: { productId, quantity, properties }, headers });
    const setNote = (s: Shopper, note: unknown) => s.request("PUT", "/api/cart/note", { json: { note } });
    const bearer = (token = SECRET) => ({ authorization: `Bearer ${token}` });
    const complete = (id: string, orderId: string, token = SECRET) =>
      shopper().request("POST", `/api/checkouts/${id}/complete`, { json: { orderId }, headers: bearer(token) });
    const signedIn = async () => {
      const email = uniqueEmail("lines");
      expect((await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
      return { email, device: async (s = shopper()) => (await signIn(s, email, PASSWORD), s) };
    };
    const sqlRun = (query: ReturnType<typeof sql>) => app.cart.runtime.run(async () => (await app.cart.runtime.db()).execute(query));

    beforeAll(async () => {
      backend = await prepareBackend(kind, `${kind.replace(/\W/g, "_")}_lines`);
      app = await startInProcessApp({ ...backend.env, CHECKOUT_SECRET: SECRET });
    });

    afterAll(async () => {
      await app?.stop();
      await backend?.cleanup();
    });

    it("keeps a product with other properties on another line, and sums the same properties in any key order", async () => {
      const s = shopper();
      await s.add(TEE);
      let res = await addWith(s, TEE, { Engraving: "For Ada", Colour: "Gold" });
      expect(res.status).toBe(200);
      res = await addWith(s, TEE, { Colour: "Gold", Engraving: "For Ada" }, 2);
      res = await addWith(s, TEE, { Engraving: "For Bob" });
      expect(res.body.items.map((i: any) => [i.productId, i.properties, i.quantity])).toEqual([
        [TEE, {}, 1],
        [TEE, { Colour: "Gold", Engraving: "For Ada" }, 3],
        [TEE, { Engraving: "For Bob" }, 1],
      ]);
      const [plain, ada, bob] = res.body.items;
      expect(plain.lineId).toBe(TEE);
      expect(ada.lineId).toMatch(LINE_ID);
      expect(bob.lineId).toMatch(LINE_ID);
      expect(ada.lineId).not.toBe(bob.lineId);
      // Stable: the same line keeps its id across reads.
      expect((await s.getCart()).body.items.map((i: any) => i.lineId)).toEqual([plain.lineId, ada.lineId, bob.lineId]);
      expect(res.body.note).toBeNull();
    });

    it("changes and removes any line by lineId; /cart/items/{productId} is the line without properties", async () => {
      const s = shopper();
      const first = await addWith(s, TEE, { Engraving: "For Ada" });
      const lineId = first.body.items[0].lineId;
      expectError(await s.setQuantity(TEE, 3), 404, "ITEM_NOT_FOUND");
      let res = await s.request("PATCH", `/api/cart/lines/${encodeURIComponent(lineId)}`, { json: { quantity: 4 } });
      expect(res.status).toBe(200);
      expect(res.body.items).toMatchObject([{ lineId, quantity: 4, lineTotal: 4 * 2500 }]);
      await s.add(TEE, 2);
      res = await s.setQuantity(TEE, 5);
      expect(res.body.items.map((i: any) => [i.lineId, i.quantity])).toEqual([
        [lineId, 4],
        [TEE, 5],
      ]);
      res = await s.remove(TEE);
      expect(res.body.items.map((i: any) => i.lineId)).toEqual([lineId]);
      const missing = await s.request("PATCH", `/api/cart/lines/${TEE}~${"0".repeat(22)}`, { json: { quantity: 1 } });
      expectError(missing, 404, "ITEM_NOT_FOUND");
      expect(missing.body.error.details).toEqual({ lineId: `${TEE}~${"0".repeat(22)}` });
      expectError(await s.request("PATCH", "/api/cart/lines/not~a~line", { json: { quantity: 1 } }), 422, "VALIDATION_ERROR");
      res = await s.request("DELETE", `/api/cart/lines/${encodeURIComponent(lineId)}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
      const again = await s.request("DELETE", `/api/cart/lines/${encodeURIComponent(lineId)}`);
      expect(again.body.version).toBe(res.body.version);
    });

    it("keeps a line written before properties existed working: properties {}, its product's id as lineId", async () => {
      const s = shopper();
      const { id: cartId, version } = (await s.add(TEE)).body;
      // A line as the v1.1 code wrote it: no line_key, no properties (the migration's defaults fill them).
      await sqlRun(sql`insert into cart_lines (cart_id, product_id, quantity, added_unit_price) values (${cartId}, ${MUG}, 2, 2200)`);
      await sqlRun(sql`update cart_carts set version = version + 1 where id = ${cartId}`);
      await app.cart.runtime.run(async () => (await app.cart.runtime.store()).cache.delete(cartCacheKey(cartId)));
      const cart = (await s.getCart()).body;
      expect(cart.version).toBe(version + 1);
      expect(lineOf(cart, MUG)).toMatchObject({ lineId: MUG, properties: {}, quantity: 2 });
      // The same product without properties is that line: an add sums, the items route reaches it.
      expect(lineOf((await s.add(MUG)).body, MUG).quantity).toBe(3);
      expect(lineOf((await s.setQuantity(MUG, 5)).body, MUG).quantity).toBe(5);
      const engraved = await addWith(s, MUG, { Engraving: "For Ada" });
      expect(engraved.body.items.filter((i: any) => i.productId === MUG)).toHaveLength(2);
    });

    it("refuses properties outside the limits with the field's path, and changes nothing", async () => {
      const s = shopper();
      await s.add(MUG);
      const before = (await s.getCart()).body;
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
      const cases: [unknown, (string | number)[]][] = [
        [eleven, ["properties"]],
        [{ ["k".repeat(41)]: "v" }, ["properties", "k".repeat(41)]],
        [{ "": "v" }, ["properties", ""]],
        [{ Engraving: "x".repeat(201) }, ["properties", "Engraving"]],
        [{ Engraving: 42 }, ["properties", "Engraving"]],
        [["Engraving"], ["properties"]],
        ["Engraving", ["properties"]],
      ];
      for (const [properties, path] of cases) {
        const res = await addWith(s, MUG, properties);
        expectError(res, 422, "VALIDATION_ERROR");
        expect(res.body.error.details.map((d: any) => d.path)).toContainEqual(path);
      }
      expect((await s.getCart()).body).toEqual(before);
      const proto = await s.request("POST", "/api/cart/items", {
        body: `{"productId":"${MUG}","properties":{"__proto__":{"x":"y"}}}`,
        headers: { "content-type": "application/json" },
      });
      // Never a prototype: the key is dropped (the line is the product's without properties).
      expect(proto.status).toBe(200);
      expect(lineOf(proto.body, MUG)).toMatchObject({ lineId: MUG, properties: {}, quantity: 2 });
      await s.setQuantity(MUG, 1);
      const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`.padEnd(40, "k"), "v".repeat(200)]));
      expect((await s.getCart()).body.items).toEqual(before.items);
      expect((await addWith(s, MUG, ten)).status).toBe(200);
    });

    it("sets, keeps and clears the note (PUT /api/cart/note)", async () => {
      const s = shopper();
      let res = await setNote(s, "Gift wrap, please.");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ note: "Gift wrap, please.", version: 1, items: [] });
      res = await setNote(s, "Gift wrap, please.");
      expect(res.body.version).toBe(1);
      await s.add(TEE);
      expect((await s.getCart()).body.note).toBe("Gift wrap, please.");
      expectError(await setNote(s, "x".repeat(501)), 422, "VALIDATION_ERROR");
      expectError(await setNote(s, 5), 422, "VALIDATION_ERROR");
      expectError(await s.request("PUT", "/api/cart/note", { json: {} }), 422, "VALIDATION_ERROR");
      expectError(await s.request("PUT", "/api/cart/note", { json: { note: "x" }, headers: { origin: "https://evil.example" } }), 403, "FORBIDDEN_ORIGIN");
      expect((await setNote(s, "x".repeat(500))).body.note).toHaveLength(500);
      res = await setNote(s, "");
      expect(res.body.note).toBeNull();
      await setNote(s, "again");
      res = await setNote(s, null);
      expect(res.body).toMatchObject({ note: null, version: 6 });
      // PUT is served where the table has it, and answered 405 (with Allow) elsewhere.
      const other = await s.request("PUT", "/api/cart");
      expect(other.status).toBe(405);
      expect(other.headers.get("allow")).toContain("DELETE");
    });

    it("takes properties and the note through the server actions, with and without JavaScript", async () => {
      const jar: CookieJar = shopper();
      const added = await app.action(jar, "add", { productId: TEE, quantity: "2", "properties[Engraving]": "For Ada", "properties[Empty]": "" }, { js: true });
      expect(added.result).toMatchObject({ ok: true, cart: { items: [{ productId: TEE, quantity: 2, properties: { Engraving: "For Ada" } }] } });
      const lineId = added.result.cart.items[0].lineId;
      expect(lineId).toMatch(LINE_ID);
      // A plain form post: redirected to its page.
      const plain = await app.action(jar, "add", { productId: TEE, "properties[Engraving]": "For Ada", returnTo: "/products/tee" });
      expect(plain).toEqual({ status: 303, location: "/products/tee" });
      const set = await app.action(jar, "setQuantity", { productId: TEE, lineId, quantity: "5" }, { js: true });
      expect(set.result.cart.items).toMatchObject([{ lineId, quantity: 5 }]);
      const bad = await app.action(jar, "add", { productId: TEE, [`properties[${"k".repeat(41)}]`]: "v" }, { js: true });
      expect(bad.result).toMatchObject({ ok: false, error: { code: "VALIDATION_ERROR" } });
      const noted = await app.action(jar, "note", { note: "Leave at the door" }, { js: true });
      expect(noted.result.cart.note).toBe("Leave at the door");
      expect(await app.action(jar, "note", { note: "", returnTo: "/cart" })).toEqual({ status: 303, location: "/cart" });
      const removed = await app.action(jar, "remove", { productId: TEE, lineId }, { js: true });
      expect(removed.result.cart).toMatchObject({ items: [], note: null });
    });

    it("merges properties and the note at sign-in by the one rule (the signed-in cart's note wins)", async () => {
      const { device } = await signedIn();
      const user = await device();
      await addWith(user, TEE, { Engraving: "For Ada" }, 2);
      await setNote(user, "The user's note");
      const guest = shopper();
      await addWith(guest, TEE, { Engraving: "For Ada" }, 1);
      await addWith(guest, TEE, { Engraving: "For Bob" }, 1);
      await guest.add(TEE, 1);
      await setNote(guest, "The guest's note");
      const merged = await device(guest);
      const cart = (await merged.getCart()).body;
      expect(cart.items.map((i: any) => [i.properties, i.quantity])).toEqual([
        [{ Engraving: "For Ada" }, 3],
        [{ Engraving: "For Bob" }, 1],
        [{}, 1],
      ]);
      expect(cart.note).toBe("The user's note");
      // Without a note of its own, the signed-in cart takes the guest's.
      const second = await signedIn();
      const guest2 = shopper();
      await addWith(guest2, MUG, { Glaze: "Blue" });
      await setNote(guest2, "Only the guest's");
      const cart2 = (await (await second.device(guest2)).getCart()).body;
      expect(cart2).toMatchObject({ note: "Only the guest's", items: [{ productId: MUG, properties: { Glaze: "Blue" } }] });
    });

    it("carries properties and the note through a recovery link", async () => {
      const source = shopper();
      await addWith(source, TEE, { Engraving: "For Ada" }, 2);
      await setNote(source, "From the link");
      const link = await source.request("POST", "/api/cart/recovery-link");
      expect(link.status).toBe(201);
      const token = new URL(link.body.url).searchParams.get("token")!;
      const opener = shopper();
      await opener.add(MUG);
      const res = await opener.request("POST", "/cart/recover/confirm", {
        body: new URLSearchParams({ token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url },
      });
      expect(res.status).toBe(303);
      const cart = (await opener.getCart()).body;
      expect(cart.items.map((i: any) => [i.productId, i.properties, i.quantity])).toEqual([
        [MUG, {}, 1],
        [TEE, { Engraving: "For Ada" }, 2],
      ]);
      expect(cart.note).toBe("From the link");
    });

    it("creates a checkout of the lines on sale at fresh prices, changing nothing in the cart", async () => {
      const s = shopper();
      expectError(await s.request("POST", "/api/cart/checkout"), 409, "CART_EMPTY");
      expectError(await s.request("GET", "/api/cart/checkout"), 404, "CHECKOUT_NOT_FOUND");
      await s.add(TEE, 2);
      await addWith(s, MUG, { Glaze: "Blue" });
      await setNote(s, "Ring twice");
      const before = (await s.getCart()).body;
      const res = await s.request("POST", "/api/cart/checkout");
      expect(res.status).toBe(201);
      const { checkout, notices } = res.body;
      expect(notices).toEqual([]);
      expect(checkout).toEqual({
        id: expect.stringMatching(/^chk_[A-Za-z0-9_-]{22}$/),
        status: "open",
        cartVersion: before.version,
        currency: "USD",
        lines: [
          { lineId: TEE, productId: TEE, name: expect.any(String), unitPrice: 2500, quantity: 2, properties: {}, lineTotal: 5000 },
          {
            lineId: lineOf(before, MUG, { Glaze: "Blue" }).lineId,
            productId: MUG,
            name: expect.any(String),
            unitPrice: expect.any(Number),
            quantity: 1,
            properties: { Glaze: "Blue" },
            lineTotal: expect.any(Number),
          },
        ],
        note: "Ring twice",
        itemCount: 3,
        subtotal: before.subtotal,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(Date.parse(checkout.expiresAt) - Date.parse(checkout.createdAt)).toBe(30 * 60_000);
      expect((await s.getCart()).body).toEqual(before);
      // The same cart version: the same open checkout.
      const again = await s.request("POST", "/api/cart/checkout");
      expect(again.status).toBe(201);
      expect(again.body.checkout).toEqual(checkout);
      expect((await s.request("GET", "/api/cart/checkout")).body).toEqual({ checkout });
      // A keyed retry replays; a cross-origin POST changes nothing.
      const keyed = await s.request("POST", "/api/cart/checkout", { headers: { "idempotency-key": "checkout-key-0001" } });
      const replay = await s.request("POST", "/api/cart/checkout", { headers: { "idempotency-key": "checkout-key-0001" } });
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.body).toEqual(keyed.body);
      expectError(await s.request("POST", "/api/cart/checkout", { headers: { origin: "https://evil.example" } }), 403, "FORBIDDEN_ORIGIN");
      // Another version: another checkout.
      await s.add(TEE);
      const next = await s.request("POST", "/api/cart/checkout");
      expect(next.body.checkout.id).not.toBe(checkout.id);
      expect(next.body.checkout).toMatchObject({ cartVersion: before.version + 1, itemCount: 4 });
      // Someone else's session reaches none of it.
      expectError(await shopper().request("GET", "/api/cart/checkout"), 404, "CHECKOUT_NOT_FOUND");
    });

    it("leaves lines no longer sold out of the checkout and reports them", async () => {
      const s = shopper();
      await s.add(TEE);
      await s.add(HOODIE);
      await sqlRun(sql`update cart_products set active = false where id = ${HOODIE}`);
      try {
        const res = await s.request("POST", "/api/cart/checkout");
        expect(res.status).toBe(201);
        expect(res.body.checkout.lines.map((l: any) => l.productId)).toEqual([TEE]);
        expect(res.body.notices).toContainEqual({ type: "unavailable", productId: HOODIE, message: expect.any(String) });
        await s.remove(TEE);
        const none = await s.request("POST", "/api/cart/checkout");
        expectError(none, 409, "CART_EMPTY");
      } finally {
        await sqlRun(sql`update cart_products set active = true where id = ${HOODIE}`);
      }
    });

    it("cancels the open checkout and leaves the cart alone; a cancelled one cannot be completed", async () => {
      const s = shopper();
      expectError(await s.request("DELETE", "/api/cart/checkout"), 404, "CHECKOUT_NOT_FOUND");
      await s.add(TEE);
      const before = (await s.getCart()).body;
      const { checkout } = (await s.request("POST", "/api/cart/checkout")).body;
      const res = await s.request("DELETE", "/api/cart/checkout");
      expect(res.status).toBe(200);
      expect(res.body.checkout).toMatchObject({ id: checkout.id, status: "cancelled", cancelledAt: expect.any(String) });
      expect((await s.request("DELETE", "/api/cart/checkout")).body.checkout.status).toBe("cancelled");
      expect((await s.request("GET", "/api/cart/checkout")).body.checkout.status).toBe("cancelled");
      expect((await s.getCart()).body).toEqual(before);
      expectError(await complete(checkout.id, "order-cancelled"), 409, "CHECKOUT_CANCELLED");
      // A new POST opens a new checkout of the same version.
      const fresh = (await s.request("POST", "/api/cart/checkout")).body.checkout;
      expect(fresh).toMatchObject({ status: "open", cartVersion: before.version });
      expect(fresh.id).not.toBe(checkout.id);
    });

    it("completes through the bearer routes, idempotently, and starts the shopper on a new cart", async () => {
      const s = shopper();
      await addWith(s, TEE, { Engraving: "For Ada" }, 2);
      const before = (await s.getCart()).body;
      const { checkout } = (await s.request("POST", "/api/cart/checkout")).body;
      expectError(await shopper().request("GET", `/api/checkouts/${checkout.id}`), 401, "UNAUTHORIZED");
      expectError(await shopper().request("GET", `/api/checkouts/${checkout.id}`, { headers: bearer("wrong-secret-0123456789") }), 401, "UNAUTHORIZED");
      expectError(await complete(checkout.id, "order-1", "wrong-secret-0123456789"), 401, "UNAUTHORIZED");
      const read = await shopper().request("GET", `/api/checkouts/${checkout.id}`, { headers: bearer() });
      expect(read.body).toEqual({ checkout });
      expectError(await shopper().request("GET", `/api/checkouts/chk_${"A".repeat(22)}`, { headers: bearer() }), 404, "CHECKOUT_NOT_FOUND");
      expectError(await complete(checkout.id, ""), 422, "VALIDATION_ERROR");
      const done = await complete(checkout.id, "order-1");
      expect(done.status).toBe(200);
      expect(done.body.checkout).toEqual({ ...checkout, status: "completed", orderId: "order-1", completedAt: expect.any(String) });
      expect(await complete(checkout.id, "order-1")).toMatchObject({ status: 200, body: done.body });
      const other = await complete(checkout.id, "order-2");
      expectError(other, 409, "CHECKOUT_COMPLETED");
      expect(other.body.error.details).toEqual({ orderId: "order-1" });
      expectError(await s.request("DELETE", "/api/cart/checkout"), 409, "CHECKOUT_COMPLETED");
      // The shopper's next request: a new, empty cart; the completed checkout is still theirs to read.
      const after = (await s.getCart()).body;
      expect(after).toMatchObject({ items: [], note: null });
      expect(after.id).not.toBe(before.id);
      expect((await s.request("GET", "/api/cart/checkout")).body.checkout).toMatchObject({ id: checkout.id, status: "completed" });
      const added = await s.add(MUG);
      expect(added.body.items.map((i: any) => i.productId)).toEqual([MUG]);
    });

    it("carries over exactly what was added during checkout, to every device of the owner (server API)", async () => {
      const { device } = await signedIn();
      const phone = await device();
      const laptop = await device();
      await phone.add(TEE, 2);
      await addWith(phone, MUG, { Glaze: "Blue" }, 1);
      await phone.add(HOODIE, 1);
      await setNote(phone, "Before checkout");
      const { checkout } = (await phone.request("POST", "/api/cart/checkout")).body;
      // While the shopper pays: one more tee, a new engraved line, the hoodie removed, the note changed.
      await laptop.add(TEE, 1);
      await addWith(laptop, TEE, { Engraving: "For Ada" }, 1);
      await laptop.remove(HOODIE);
      await setNote(laptop, "After checkout");
      const changed = new Set<string>();
      const stop = app.cart.onCartChanged((c) => changed.add(c.cartId));
      const done = await app.cart.checkouts.complete(checkout.id, { orderId: "order-carry" });
      stop();
      expect(done).toMatchObject({ id: checkout.id, status: "completed", orderId: "order-carry" });
      expect(await app.cart.checkouts.complete(checkout.id, { orderId: "order-carry" })).toEqual(done);
      await expect(app.cart.checkouts.complete(checkout.id, { orderId: "order-other" })).rejects.toMatchObject({ code: "CHECKOUT_COMPLETED" });
      expect(await app.cart.checkouts.get(checkout.id)).toEqual(done);
      for (const s of [phone, laptop]) {
        const cart = (await s.getCart()).body;
        expect(cart.items.map((i: any) => [i.productId, i.properties, i.quantity])).toEqual([
          [TEE, {}, 1],
          [TEE, { Engraving: "For Ada" }, 1],
        ]);
        expect(cart.note).toBe("After checkout");
        expect(changed.has(cart.id)).toBe(true);
      }
      // An unchanged note is not carried.
      const { device: other } = await signedIn();
      const s = await other();
      await s.add(TEE);
      await setNote(s, "Same note");
      const second = (await s.request("POST", "/api/cart/checkout")).body.checkout;
      await app.cart.checkouts.complete(second.id, { orderId: "order-same-note" });
      expect((await s.getCart()).body).toMatchObject({ items: [], note: null });
    });

    it("a guest completes too: the guest's next request is on the successor cart", async () => {
      const s = shopper();
      await s.add(TEE, 3);
      const { checkout } = (await s.request("POST", "/api/cart/checkout")).body;
      await s.add(TEE, 2);
      expect((await complete(checkout.id, "order-guest")).status).toBe(200);
      const cart = (await s.getCart()).body;
      expect(cart.items.map((i: any) => [i.productId, i.quantity])).toEqual([[TEE, 2]]);
      expect((await s.add(TEE)).body.items[0].quantity).toBe(3);
      expect((await s.request("GET", "/api/cart/checkout")).body.checkout).toMatchObject({ id: checkout.id, status: "completed" });
    });

    it("stays exact when a completion races changes to the cart", async () => {
      const { device } = await signedIn();
      const a = await device();
      const b = await device();
      await a.add(TEE, 2);
      await addWith(a, MUG, { Glaze: "Blue" }, 1);
      const { checkout } = (await a.request("POST", "/api/cart/checkout")).body;
      const adds = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).add(TEE, 1));
      const [done, ...results] = await Promise.all([app.cart.checkouts.complete(checkout.id, { orderId: "order-race" }), ...adds]);
      expect(done.status).toBe("completed");
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      // Every add made after the snapshot is in the owner's cart, once: before the completion
      // (carried over) or after it (straight into the new cart).
      for (const s of [a, b]) {
        const cart = (await s.getCart()).body;
        expect(cart.items.map((i: any) => [i.productId, i.quantity])).toEqual([[TEE, 12]]);
      }
    });
  });

  describe(`checkout expiry (CHECKOUT_TTL_MINUTES=5) on ${kind}`, () => {
    let backend: Backend;
    let app: InProcessApp;
    // The instance's clock, frozen and moved by the test: expiry is decided on it.
    const clock = new TestClock();

    beforeAll(async () => {
      backend = await prepareBackend(kind, `${kind.replace(/\W/g, "_")}_expiry`);
      app = await startInProcessApp({ ...backend.env, CHECKOUT_SECRET: SECRET, CHECKOUT_TTL_MINUTES: "5" }, { now: clock.now });
    });

    afterAll(async () => {
      await app?.stop();
      await backend?.cleanup();
    });

    it("holds a checkout for the TTL; past expiresAt a POST quotes anew, and a paid order is still never refused", async () => {
      const s = new Shopper(app.url, app.fetch);
      const complete = (id: string, orderId: string) =>
        new Shopper(app.url, app.fetch).request("POST", `/api/checkouts/${id}/complete`, { json: { orderId }, headers: { authorization: `Bearer ${SECRET}` } });
      clock.freeze();
      await s.add(TEE);
      const first = (await s.request("POST", "/api/cart/checkout")).body.checkout;
      expect(first.createdAt).toBe(new Date(clock.now()).toISOString());
      expect(Date.parse(first.expiresAt) - Date.parse(first.createdAt)).toBe(5 * 60_000);
      // Within the TTL, at an unchanged cart version, a second POST is the same checkout.
      clock.advance(4 * 60_000);
      expect((await s.request("POST", "/api/cart/checkout")).body.checkout).toEqual(first);
      // Past expiresAt the quoted prices no longer hold: a new POST opens a new checkout.
      clock.advance(2 * 60_000);
      const second = (await s.request("POST", "/api/cart/checkout")).body.checkout;
      expect(second.id).not.toBe(first.id);
      expect(second).toMatchObject({ status: "open", createdAt: new Date(clock.now()).toISOString() });
      // The order paid for the expired one completes (bearer route)...
      const done = await complete(first.id, "order-late-1");
      expect(done.status).toBe(200);
      expect(done.body.checkout).toMatchObject({ id: first.id, status: "completed", orderId: "order-late-1", expiresAt: first.expiresAt });
      expect(Date.parse(done.body.checkout.completedAt)).toBeGreaterThan(Date.parse(first.expiresAt));
      // ...and so does one through the server API, a day past its expiresAt.
      clock.advance(24 * 60 * 60_000);
      const late = await app.cart.checkouts.complete(second.id, { orderId: "order-late-2" });
      expect(late).toMatchObject({ id: second.id, status: "completed", orderId: "order-late-2", expiresAt: second.expiresAt });
    });
  });

  describe(`checkout bearer routes without CHECKOUT_SECRET on ${kind}`, () => {
    let backend: Backend;
    let app: InProcessApp;

    beforeAll(async () => {
      backend = await prepareBackend(kind, `${kind.replace(/\W/g, "_")}_nosecret`);
      app = await startInProcessApp(backend.env);
    });

    afterAll(async () => {
      await app?.stop();
      await backend?.cleanup();
    });

    it("answers 404 on every /api/checkouts/* route, whatever the token", async () => {
      const s = new Shopper(app.url, app.fetch);
      await s.add(TEE);
      const { checkout } = (await s.request("POST", "/api/cart/checkout")).body;
      for (const headers of [{}, { authorization: `Bearer ${SECRET}` }] as Record<string, string>[]) {
        expectError(await s.request("GET", `/api/checkouts/${checkout.id}`, { headers }), 404, "NOT_FOUND");
        expectError(await s.request("POST", `/api/checkouts/${checkout.id}/complete`, { json: { orderId: "x" }, headers }), 404, "NOT_FOUND");
      }
      // The server API needs no secret.
      expect((await app.cart.checkouts.complete(checkout.id, { orderId: "order-server" })).status).toBe("completed");
    });
  });
}
