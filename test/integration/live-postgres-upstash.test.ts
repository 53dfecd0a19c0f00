import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { openLive } from "../support/live";
import { Shopper } from "../support/shopper";

/**
 * Where the store cannot push (Upstash's REST API has no subscribe), or live carts are switched
 * off (LIVE_MAX_STREAMS=0): GET /api/cart/live answers 501 LIVE_UNAVAILABLE, and the client polls
 * GET /api/cart with If-None-Match, which answers 304 while nothing changed.
 */
describe("live carts where the store cannot push", () => {
  let backend: Backend;
  let app: InProcessApp;
  let off: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+upstash", "live_upstash");
    app = await startInProcessApp(backend.env);
  });

  afterAll(async () => {
    await off?.stop();
    await app?.stop();
    await backend?.cleanup();
  });

  it("answers 501 LIVE_UNAVAILABLE on Upstash, and the poll it points to answers 304 until a change", async () => {
    const s = new Shopper(app.url, app.fetch);
    const added = await s.add("sku-tee-black-m", 1);
    const refused = await openLive(s, app.fetch);
    expect(refused.status).toBe(501);
    expect(refused.refusal).toMatchObject({ error: { code: "LIVE_UNAVAILABLE", message: expect.any(String) } });
    expect(refused.headers.get("cache-control")).toBe("no-store");

    const etag = added.headers.get("etag")!;
    expect((await s.request("GET", "/api/cart", { headers: { "if-none-match": etag } })).status).toBe(304);
    const changed = await s.add("sku-tee-black-m", 1);
    const polled = await s.request("GET", "/api/cart", { headers: { "if-none-match": etag } });
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual(changed.body);
  });

  it("answers 501 LIVE_UNAVAILABLE with LIVE_MAX_STREAMS=0 (live carts switched off)", async () => {
    const postgresOnly = Object.fromEntries(Object.entries(backend.env).filter(([name]) => !name.startsWith("UPSTASH_")));
    off = await startInProcessApp({ ...postgresOnly, LIVE_MAX_STREAMS: "0" });
    const refused = await openLive(new Shopper(off.url, off.fetch), off.fetch);
    expect(refused.status).toBe(501);
    expect(refused.refusal).toMatchObject({ error: { code: "LIVE_UNAVAILABLE" } });
  });
});
