import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { sleep, slowAndFailed, startLoad, verifyAcknowledged } from "../support/cart-load";
import { adminDatabaseUrl } from "../support/services";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Postgres connections dropped under load (pg_terminate_backend on every
 * connection of the app's database, twice): no request hangs, nothing but
 * 200 or 503-with-Retry-After comes back, every acknowledged add is in
 * Postgres afterwards, and the app recovers without a restart. The demo's
 * instance runs in this process (test/support/in-process-app.ts): its
 * connections are the ones terminated.
 */
const PRODUCTS = ["sku-tee-black-m", "sku-hoodie-grey-m", "sku-mug-stoneware", "sku-tote-natural", "sku-socks-merino-3", "sku-cap-black"];
const BUDGET_MS = 5000;

describe("Postgres faults (connections terminated mid-load)", () => {
  let backend: Backend;
  let app: InProcessApp;
  let admin: postgres.Sql;
  let databaseName: string;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "pg_faults");
    databaseName = new URL(backend.env.DATABASE_URL!).pathname.slice(1);
    // CATALOG_CACHE_SECONDS=0: every cart view reads the catalog from Postgres, the worst case of a
    // catalog refresh meeting the dropped connections (with the default 10 s it rarely does).
    app = await startInProcessApp({ ...backend.env, DATABASE_TIMEOUT_MS: "2000", CART_MAX_QUANTITY: "100000", CATALOG_CACHE_SECONDS: "0" });
    admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await admin?.end();
    await app?.stop();
    await backend?.cleanup();
  });

  async function terminateAppConnections(): Promise<number> {
    const rows = await admin<{ terminated: boolean }[]>`
      select pg_terminate_backend(pid) as terminated from pg_stat_activity
      where datname = ${databaseName} and pid <> pg_backend_pid()`;
    return rows.filter((r) => r.terminated).length;
  }

  it("answers 200 or 503 with Retry-After, loses no acknowledged add, and recovers without a restart", async () => {
    const run = await startLoad(app.url, { fetch: app.fetch, shoppers: 6, products: PRODUCTS, budgetMs: BUDGET_MS, readRatio: 0.2 });
    await sleep(1500);
    const first = await terminateAppConnections();
    await sleep(1500);
    const second = await terminateAppConnections();
    await sleep(1500);
    await run.stop();

    // The app had connections to lose, both times.
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    const statuses = new Set(run.records.map((r) => r.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 503), JSON.stringify(run.summary())).toEqual([]);
    for (const r of run.records.filter((x) => x.status === 503)) {
      expect(r.retryAfter).toMatch(/^\d+$/);
      expect(r.errorCode).toBe("SERVICE_UNAVAILABLE");
    }
    expect(slowAndFailed(run)).toMatchObject({ hung: 0, networkErrors: 0 });
    expect(run.staleCarts).toEqual([]);
    expect(await verifyAcknowledged(run, backend.env.DATABASE_URL!)).toEqual([]);

    // Recovered by itself: every shopper adds again, and health is ok.
    for (const shopper of run.shoppers) {
      const before = (await shopper.getCart()).body.itemCount;
      const reply = await shopper.add(PRODUCTS[0]!, 1);
      expect(reply.status).toBe(200);
      expect(reply.body.itemCount).toBe(before + 1);
    }
    const health = await new Shopper(app.url, app.fetch).request("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", checks: { postgres: { ok: true } } });
  });

  it("answers 503 with Retry-After, never 500, to reads and writes whose connection is dropped, then serves again", async () => {
    // Fresh shoppers: no cached cart, so every request reaches Postgres.
    const inFlight: Promise<Reply<any>>[] = [];
    for (let i = 0; i < 24; i += 1) {
      const s = new Shopper(app.url, app.fetch);
      inFlight.push(i % 3 === 0 ? s.request("GET", "/api/products") : i % 3 === 1 ? s.getCart() : s.add(PRODUCTS[i % PRODUCTS.length]!, 1));
      if (i === 8) expect(await terminateAppConnections()).toBeGreaterThan(0);
    }
    for (const reply of await Promise.all(inFlight)) {
      expect([200, 503]).toContain(reply.status);
      if (reply.status === 503) {
        expect(reply.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(reply.body).toMatchObject({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String) } });
      }
    }
    expect((await new Shopper(app.url, app.fetch).add(PRODUCTS[1]!, 2)).status).toBe(200);
    expect((await new Shopper(app.url, app.fetch).request("GET", "/api/products")).status).toBe(200);
  });
});
