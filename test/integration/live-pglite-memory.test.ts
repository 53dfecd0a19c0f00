import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { Shopper } from "../support/shopper";
import { defineLiveSuite } from "./live-suite";

// Live carts on the embedded default (PGlite, in-process store and fan-out), and GET /api/cart's 304.
defineLiveSuite("pglite+memory");

describe("GET /api/cart with If-None-Match", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("pglite+memory", "not_modified");
    app = await startInProcessApp(backend.env);
  });

  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it('answers 304 without a body while the cart is the version named, 200 once it changed', async () => {
    const s = new Shopper(app.url, app.fetch);
    const added = await s.add("sku-tee-black-m", 1);
    const etag = added.headers.get("etag");
    expect(etag).toBe(`"${added.body.version}"`);

    const unchanged = await s.request("GET", "/api/cart", { headers: { "if-none-match": etag! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeNull();
    expect(unchanged.headers.get("etag")).toBe(etag);
    expect(unchanged.headers.get("cache-control")).toBe("no-store");
    // A list, and the weak form, name it too.
    expect((await s.request("GET", "/api/cart", { headers: { "if-none-match": `"999", W/${etag}` } })).status).toBe(304);

    // Another version: the whole cart.
    expect((await s.request("GET", "/api/cart", { headers: { "if-none-match": '"999"' } })).status).toBe(200);
    const changed = await s.add("sku-tee-black-m", 1);
    const after = await s.request("GET", "/api/cart", { headers: { "if-none-match": etag! } });
    expect(after.status).toBe(200);
    expect(after.body).toEqual(changed.body);
    expect(after.headers.get("etag")).toBe(`"${changed.body.version}"`);
  });

  it("answers 200 for a new visitor's empty cart asked with another version", async () => {
    const s = new Shopper(app.url, app.fetch);
    const reply = await s.request("GET", "/api/cart", { headers: { "if-none-match": '"3"' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ version: 0, items: [] });
  });

  it("keeps a mutation's answer whole whatever If-None-Match says", async () => {
    const s = new Shopper(app.url, app.fetch);
    const first = await s.add("sku-mug-stoneware", 1);
    const again = await s.request("DELETE", "/api/cart/items/sku-hoodie-grey-m", { headers: { "if-none-match": `"${first.body.version}"` } });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(first.body.version);
  });

});
