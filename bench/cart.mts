/**
 * Benchmark: GET /api/cart and POST /api/cart/items against a fixed-JSON
 * route in the same server and the same run (autocannon, 50 connections).
 * Starts the built app on a fresh Postgres database and Redis key prefix.
 *
 *   npm run build && npm run bench            (BENCH_SECONDS=10 BENCH_SHOPPERS=500)
 */
import autocannon from "autocannon";
import { startApp } from "../test/support/app";
import { createTestDatabase } from "../test/support/databases";
import { redisUrl, uniquePrefix } from "../test/support/services";
import { Shopper } from "../test/support/shopper";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const shopperCount = Number(process.env.BENCH_SHOPPERS ?? 500);
const products = ["sku-tee-black-m", "sku-mug-stoneware", "sku-socks-merino-3", "sku-cap-black"];

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function run(name: string, url: string, opts: Partial<autocannon.Options>): Promise<Result> {
  const result = await autocannon({ url, connections, duration: seconds, ...opts });
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const database = await createTestDatabase("bench");
const app = await startApp({
  DATABASE_URL: database.url,
  REDIS_URL: redisUrl,
  STORE_KEY_PREFIX: uniquePrefix("bench"),
  BENCH_FLOOR_ROUTE: "1",
  LOG_LEVEL: "error",
  ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}),
});

try {
  // Shoppers with a few items each, so reads return real carts.
  const shoppers: Shopper[] = [];
  for (let i = 0; i < shopperCount; i += 1) {
    const s = new Shopper(app.url);
    await s.add(products[i % products.length]!, 1);
    await s.add(products[(i + 1) % products.length]!, 1);
    shoppers.push(s);
  }
  const cookies = shoppers.map((s) => s.cookieHeader());
  let next = 0;
  const rotate = (req: any) => ({ ...req, headers: { ...req.headers, cookie: cookies[next++ % cookies.length] } });

  // Warm up each route (JIT, pools, caches) before measuring.
  for (const path of ["/api/bench/floor", "/api/cart"]) {
    await autocannon({ url: app.url + path, connections: 10, duration: 2, requests: [{ setupRequest: rotate }] });
  }

  const results: Result[] = [];
  results.push(await run("floor GET /api/bench/floor", app.url + "/api/bench/floor", {}));
  results.push(await run("GET /api/cart", app.url + "/api/cart", { requests: [{ method: "GET", setupRequest: rotate }] }));
  results.push(
    await run("POST /api/cart/items", app.url + "/api/cart/items", {
      requests: [
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          setupRequest: (req: any) => ({ ...rotate(req), body: JSON.stringify({ productId: products[next % products.length], quantity: 1 }) }),
        },
      ],
    }),
  );

  const floor = results[0]!.rps;
  console.log(`\n${connections} connections, ${seconds} s each, ${shopperCount} shoppers, Postgres + Redis (TCP)\n`);
  console.log("route                          req/s   ratio   p50 ms  p99 ms  non-2xx  errors");
  for (const r of results) {
    console.log(
      `${r.name.padEnd(30)} ${String(r.rps).padStart(6)}  ${(r.rps / floor).toFixed(2).padStart(5)}  ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
} finally {
  await app.stop();
  await database.drop();
}
