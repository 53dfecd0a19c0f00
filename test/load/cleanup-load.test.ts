import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoCatalog as seedCatalog } from "@/app/_demo/catalog";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { sleep, startLoad, verifyAcknowledged, type LoadRun } from "../support/cart-load";
import { spawnCleanup } from "../support/cleanup-cli";

/**
 * The cleanup under load, against the built app on real Postgres + Redis:
 * the same steady load of cart requests runs once alone and once while the
 * CLI deletes 200,000 old guest carts (with their lines). Both p99 figures
 * are printed (the goal: within 2× of each other); the test asserts
 * correctness only: every request answered 200, every acknowledged add
 * kept, every old cart gone and no other.
 */
const OLD_CARTS = 200_000;
// Every product on sale, so no line reaches the per-line maximum during the run.
const PRODUCTS = seedCatalog.filter((p) => p.active).map((p) => p.id);
const LOAD = { shoppers: 8, products: PRODUCTS, budgetMs: 10_000, readRatio: 0.25 };

let backend: Backend;
let app: AppServer;
let sql: postgres.Sql;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "cleanupload");
  app = await startApp({ ...backend.env });
  sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await backend?.cleanup();
});

function percentile(run: LoadRun, p: number): number {
  const sorted = run.records.map((r) => r.ms).sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

async function expectAllAnsweredAndKept(run: LoadRun) {
  expect(run.records.length).toBeGreaterThan(0);
  expect(run.summary()).toEqual({ "200": run.records.length });
  expect(run.staleCarts).toEqual([]);
  expect(await verifyAcknowledged(run, backend.env.DATABASE_URL!)).toEqual([]);
}

it("deletes 200,000 old carts under a steady cart load, which keeps every answer and every acknowledged change", { timeout: 150_000 }, async () => {
  const seeding = performance.now();
  await sql`insert into cart_carts (currency, updated_at, created_at)
    select 'USD', now() - interval '30 days' - make_interval(secs => i), now() - interval '31 days' from generate_series(1, ${OLD_CARTS}) i`;
  await sql`insert into cart_lines (cart_id, product_id, quantity, added_unit_price) select id, ${PRODUCTS[0]!}, 1, 2500 from cart_carts`;
  await sql`analyze cart_carts`;
  await sql`analyze cart_lines`;
  const seededMs = Math.round(performance.now() - seeding);

  // Warm the server up first, so neither figure pays for its first requests.
  const warmup = await startLoad(app.url, LOAD);
  await sleep(3_000);
  await warmup.stop();

  // The same load alone, for about as long as the cleanup takes.
  const alone = await startLoad(app.url, LOAD);
  await sleep(15_000);
  await alone.stop();

  const during = await startLoad(app.url, LOAD);
  const cleanup = spawnCleanup({ ...backend.env, CLEANUP_BATCH_SIZE: "1000", CLEANUP_PAUSE_MS: "25", CLEANUP_BUDGET_MS: "120000" }, ["--json"]);
  const started = performance.now();
  const code = await cleanup.exited;
  const cleanupMs = Math.round(performance.now() - started);
  await during.stop();

  const figures = {
    seededMs,
    cleanupMs,
    alone: { requests: alone.records.length, p50: percentile(alone, 50), p99: percentile(alone, 99) },
    duringCleanup: { requests: during.records.length, p50: percentile(during, 50), p99: percentile(during, 99) },
  };
  console.log(`cleanup under load: ${JSON.stringify(figures)} (p99 ratio ${(figures.duringCleanup.p99 / Math.max(1, figures.alone.p99)).toFixed(2)})`);

  expect(code, cleanup.stderr()).toBe(0);
  const result = JSON.parse(cleanup.stdout().trim().split("\n").at(-1)!);
  expect(result.deleted.guestCarts).toBe(OLD_CARTS);
  expect(result.complete).toBe(true);

  const [left] = await sql`
    select (select count(*)::int from cart_carts where updated_at < now() - interval '7 days') as old,
           (select count(*)::int from cart_lines i where not exists (select 1 from cart_carts c where c.id = i.cart_id)) as orphans`;
  expect(left).toEqual({ old: 0, orphans: 0 });

  await expectAllAnsweredAndKept(alone);
  await expectAllAnsweredAndKept(during);
});
