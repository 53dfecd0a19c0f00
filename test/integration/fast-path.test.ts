import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { Shopper } from "../support/shopper";

/**
 * One-line changes take a compare-and-set fast path computed from the cached
 * cart. These tests make the cache (and the process's catalog copy) wrong on
 * purpose, behind the app's back, and check that the answer is still exactly
 * what Postgres says: the version guard and the price guard send the change
 * down the locked path. The demo's instance runs in this process
 * (test/support/in-process-app.ts).
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";

describe("the compare-and-set fast path never trusts a stale cache", () => {
  let backend: Backend;
  let app: InProcessApp;
  let sql: postgres.Sql;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "fastpath");
    app = await startInProcessApp({ ...backend.env, CATALOG_CACHE_SECONDS: "3600" });
    sql = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await app?.stop();
    await backend?.cleanup();
  });

  // Another writer set every line of the cart to `quantity` and bumped its version; its cache write was lost.
  async function writtenBehindTheCache(cartId: string, quantity: number) {
    await sql`update cart_lines set quantity = ${quantity} where cart_id = ${cartId}`;
    await sql`update cart_carts set version = version + 1 where id = ${cartId}`;
  }

  // The catalog changed behind the process's copy (cached for an hour here) while `run` runs, then put back.
  type ProductChange = { price?: number; active?: boolean };
  async function withProduct(id: string, change: ProductChange, back: ProductChange, run: () => Promise<void>) {
    await sql`update cart_products set ${sql(change)} where id = ${id}`;
    try {
      await run();
    } finally {
      await sql`update cart_products set ${sql(back)} where id = ${id}`;
    }
  }

  it("applies the change to what Postgres holds when the cached cart is behind", async () => {
    const s = new Shopper(app.url, app.fetch);
    const first = (await s.add(TEE)).body;
    // Another writer changed the cart and its cache write was lost.
    await writtenBehindTheCache(first.id, 5);
    const res = await s.add(TEE, 1);
    expect(res.status).toBe(200);
    expect(res.body.items[0].quantity).toBe(6);
    expect(res.body.version).toBe(3);
    expect((await s.getCart()).body).toMatchObject({ version: 3, items: [{ productId: TEE, quantity: 6 }] });
    // Removing through a stale cache still removes from the real cart.
    await sql`update cart_carts set version = version + 1 where id = ${first.id}`;
    const removed = await s.remove(TEE);
    expect(removed.body).toMatchObject({ version: 5, items: [] });
  });

  it("records the catalog's current price when the process's copy is out of date", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.add(TEE);
    await withProduct(MUG, { price: 2600 }, { price: 2200 }, async () => {
      const res = await s.add(MUG, 1);
      expect(res.body.items.find((i: any) => i.productId === MUG)).toMatchObject({ addedUnitPrice: 2600, quantity: 1 });
      const [row] = await sql`select added_unit_price from cart_lines where cart_id = ${res.body.id} and product_id = ${MUG}`;
      expect(row!.added_unit_price).toBe(2600);
    });
  });

  it("refuses an add that the process's copy still sells but the catalog no longer does", async () => {
    const s = new Shopper(app.url, app.fetch);
    const first = (await s.add(TEE)).body;
    // The copy (cached for an hour here) says on sale; the add's statement checks the table.
    await withProduct(TEE, { active: false }, { active: true }, async () => {
      const res = await s.add(TEE, 1);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("PRODUCT_UNAVAILABLE");
      const [row] = await sql`select quantity from cart_lines where cart_id = ${first.id} and product_id = ${TEE}`;
      expect(row!.quantity).toBe(1);
    });
  });

  it("checks a new visitor's first add against the catalog, not the process's copy", async () => {
    await withProduct(MUG, { price: 2700 }, { price: 2200 }, async () => {
      const s = new Shopper(app.url, app.fetch);
      const res = await s.add(MUG, 1);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ version: 1, items: [{ productId: MUG, quantity: 1, addedUnitPrice: 2700 }] });
      const [row] = await sql`select added_unit_price from cart_lines where cart_id = ${res.body.id}`;
      expect(row!.added_unit_price).toBe(2700);
    });
    await withProduct(MUG, { active: false }, { active: true }, async () => {
      const before = (await sql<{ n: number }[]>`select count(*)::int as n from cart_carts`)[0]!.n;
      const refused = await new Shopper(app.url, app.fetch).add(MUG, 1);
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("PRODUCT_UNAVAILABLE");
      const after = (await sql<{ n: number }[]>`select count(*)::int as n from cart_carts`)[0]!.n;
      expect(after).toBe(before);
    });
  });

  it("applies a change the cache calls a no-op when Postgres holds another quantity", async () => {
    const s = new Shopper(app.url, app.fetch);
    const first = (await s.add(TEE, 2)).body;
    // The cache says 2; another writer made it 5 and its cache write was lost.
    await writtenBehindTheCache(first.id, 5);
    const res = await s.setQuantity(TEE, 2);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 3, items: [{ productId: TEE, quantity: 2 }] });
    // And a real no-op changes nothing, not even the version.
    const again = await s.setQuantity(TEE, 2);
    expect(again.body).toMatchObject({ version: 3, items: [{ productId: TEE, quantity: 2 }] });
    const [cart] = await sql`select version from cart_carts where id = ${first.id}`;
    expect(cart!.version).toBe(3);
  });

  it("refuses with the locked path's answer, not the cache's", async () => {
    const s = new Shopper(app.url, app.fetch);
    const first = (await s.add(TEE, 98)).body;
    // Postgres says 1, the cache says 98: adding 2 is allowed.
    await writtenBehindTheCache(first.id, 1);
    const res = await s.add(TEE, 2);
    expect(res.status).toBe(200);
    expect(res.body.items[0].quantity).toBe(3);
  });
});
