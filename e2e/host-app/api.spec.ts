// The cart's JSON API (docs/api.md) as the example host app serves it from its one catch-all route.
import { expect, test } from "@playwright/test";
import { sampleProducts as products } from "../../lib/cli/templates";

const [mug] = products as [(typeof products)[number]];

test("GET /api/cart answers an empty cart to a new caller", async ({ request }) => {
  const res = await request.get("/api/cart");
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toContain("no-store");
  const cart = await res.json();
  expect(cart).toMatchObject({ items: [], itemCount: 0, subtotal: 0, version: 0, currency: mug.currency });
});

test("POST /api/cart/items prices the line from the host's catalog and keeps it", async ({ request }) => {
  const res = await request.post("/api/cart/items", { data: { productId: mug.id, quantity: 2 } });
  expect(res.status()).toBe(200);
  const cart = await res.json();
  expect(cart.items).toEqual([expect.objectContaining({ productId: mug.id, name: mug.name, unitPrice: mug.price, quantity: 2, lineTotal: 2 * mug.price })]);
  expect(res.headers().etag).toBe(`"${cart.version}"`);

  const again = await (await request.get("/api/cart")).json();
  expect(again).toMatchObject({ version: cart.version, itemCount: 2, subtotal: 2 * mug.price });
});

test("bad input gets the contract's errors and changes nothing", async ({ request }) => {
  const unknown = await request.post("/api/cart/items", { data: { productId: "no-such-product" } });
  expect(unknown.status()).toBe(422);
  expect((await unknown.json()).error.code).toBe("PRODUCT_NOT_FOUND");

  const zero = await request.post("/api/cart/items", { data: { productId: mug.id, quantity: 0 } });
  expect(zero.status()).toBe(422);
  const invalid = await zero.json();
  expect(invalid.error.code).toBe("VALIDATION_ERROR");
  expect(JSON.stringify(invalid)).not.toMatch(/at \w+ \(|node_modules/);

  const crossSite = await request.post("/api/cart/items", { data: { productId: mug.id }, headers: { Origin: "https://evil.example" } });
  expect(crossSite.status()).toBe(403);
  expect((await crossSite.json()).error.code).toBe("FORBIDDEN_ORIGIN");

  expect((await (await request.get("/api/cart")).json()).items).toEqual([]);
});
