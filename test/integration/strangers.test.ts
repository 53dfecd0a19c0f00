import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { redisUrl } from "../support/services";
import { Shopper } from "../support/shopper";
import { watchTableWork, type TableWork } from "../support/table-work";

/**
 * Visitors without a cookie are cheap: until they change something they cost
 * no Postgres query and write nothing to the store (the cookie they get is
 * enough). Counted on the real servers: Postgres's own scan and row counters
 * of every table in the app's database (autovacuum moves none of them), and
 * the keys under the run's prefix in Redis. The module runs in this process
 * (test/support/in-process-app.ts): the counts are the module's, the same
 * as behind next start; the page among the paths is the module's part of a
 * page render (the layout's and the cart page's reads).
 */
const REQUESTS = 2_000;
const CONCURRENCY = 16;

let backend: Backend;
let app: InProcessApp;
let work: TableWork;
let redis: ReturnType<typeof createClient>;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "strangers");
  // Rate limits on (high enough not to refuse), so their counters would show up too.
  app = await startInProcessApp({
    ...backend.env,
    RATE_LIMIT_DISABLED: "0",
    RATE_LIMIT_READS_PER_MINUTE: "1000000",
    RATE_LIMIT_IP_PER_MINUTE: "1000000",
    CATALOG_CACHE_SECONDS: "3600",
  });
  work = await watchTableWork(app);
  redis = createClient({ url: redisUrl });
  await redis.connect();
});

afterAll(async () => {
  await redis?.close();
  await work?.close();
  await app?.stop();
  await backend?.cleanup();
});

/** Keys under the run's prefix, except per-address counters (one per client address, not per visitor). */
async function storeKeys(): Promise<string[]> {
  const prefix = backend.env.STORE_KEY_PREFIX!;
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  return keys.filter((k) => !k.startsWith(`${prefix}rl:a:`)).sort();
}

describe("visitors without a cookie", () => {
  it(`${REQUESTS} requests cost no Postgres query and no store key`, async () => {
    const paths = ["/api/cart", "/api/session", "/api/cart", "/api/session", "/api/cart", "/api/session", "/api/cart", "/api/session", "/api/cart", "/cart"];
    // A request of one visitor without a cookie: the route through the app's fetch, the page as its reads.
    const visit = async (path: string): Promise<{ status: number; withCookie: boolean }> => {
      if (path === "/cart") {
        await app.renderReads(new Shopper(app.url));
        return { status: 200, withCookie: false };
      }
      const res = await app.fetch(app.url + path);
      await res.arrayBuffer();
      return { status: res.status, withCookie: res.headers.getSetCookie().some((c) => /^(__Host-)?cart_session=/.test(c)) };
    };
    // Warm the process-wide caches (catalog) once, then count.
    for (const path of paths) expect((await visit(path)).status).toBe(200);
    const before = { work: await work.read(), keys: await storeKeys() };

    let next = 0;
    const statuses = new Map<number, number>();
    let withCookie = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const path = paths[next++ % paths.length]!;
        const res = await visit(path);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (path === "/api/cart" && res.withCookie) withCookie += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(Object.fromEntries(statuses)).toEqual({ 200: REQUESTS });
    // Each new visitor still gets its session cookie (the contract's GET /api/cart).
    expect(withCookie).toBe(REQUESTS / 2);
    expect(await work.read()).toBe(before.work);
    expect(await storeKeys()).toEqual(before.keys);
  }, 240_000);
});
