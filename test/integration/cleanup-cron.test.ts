import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
// After the in-process app, which sets up Next.js's runtime first.
import { beginUserSession } from "@/lib/identity/session-bridge";
import { eventually } from "../support/cart-load";
import { runCleanupCli, spawnCleanup } from "../support/cleanup-cli";
import { adminDatabaseUrl } from "../support/services";
import { Browser } from "../support/browser";
import { TestClock } from "../support/clock";

/**
 * The cleanup's other two ways in, against the built app on real Postgres +
 * Redis: /api/cron/cleanup answers only `Authorization: Bearer $CRON_SECRET`
 * (401 otherwise, 404 without CRON_SECRET) with the run's summary; and the
 * in-process schedule starts even when the database is down at boot, and
 * cleans once it is back. On the embedded default (PGlite, one process per
 * directory) the CLI refuses, in plain words, to open the running app's
 * database, and works once the app is stopped.
 *
 * The route and the embedded app are the demo's instance in this process
 * (test/support/in-process-app.ts; PGlite's lock names this process, as it
 * would a server's). The schedule keeps a real `next start`: it is what a
 * process does when it boots (instrumentation), and it runs until the process ends.
 */
const SECRET = "cron-secret-0123456789-abcdef";

let backend: Backend;
let app: InProcessApp;
let sql: postgres.Sql;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "cron");
  app = await startInProcessApp({ ...backend.env, CRON_SECRET: SECRET });
  sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await backend?.cleanup();
});

const cron = (instance: InProcessApp, init: RequestInit = {}) => instance.fetch(`${instance.url}/api/cron/cleanup`, init);
const oldGuestCarts = (n: number) => sql`insert into cart_carts (currency, updated_at) select 'USD', now() - interval '30 days' from generate_series(1, ${n})`;
const count = async () => ((await sql`select count(*)::int as n from cart_carts`)[0]!.n as number);

describe("GET | POST /api/cron/cleanup", () => {
  it("refuses a missing, wrong or malformed token with 401 and the contract's error body, deleting nothing", async () => {
    await oldGuestCarts(3);
    const attempts: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: "Bearer wrong-secret-0123456789-abcdef" },
      { authorization: `Bearer ${SECRET}x` },
      { authorization: SECRET },
      { authorization: `Basic ${Buffer.from(`user:${SECRET}`).toString("base64")}` },
      { authorization: `bearer ${SECRET}` },
      { authorization: "Bearer " },
    ];
    for (const headers of attempts) {
      for (const method of ["GET", "POST"]) {
        const res = await cron(app, { method, headers });
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe("Bearer");
        const body = await res.json();
        expect(body).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
        expect(JSON.stringify(body)).not.toContain(SECRET);
      }
    }
    expect(await count()).toBe(3);
  });

  it("runs the cleanup for the right token and answers its summary (GET as Vercel Cron sends it, and POST)", async () => {
    const auth = { authorization: `Bearer ${SECRET}` };
    await sql`truncate cart_carts cascade`;
    await oldGuestCarts(4);
    const res = await cron(app, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const summary = await res.json();
    expect(summary).toMatchObject({ trigger: "cron", dryRun: false, complete: true, batches: 1, deleted: { guestCarts: 4, userCarts: 0 } });
    expect(typeof summary.durationMs).toBe("number");
    expect(await count()).toBe(0);

    await oldGuestCarts(2);
    const posted = await cron(app, { method: "POST", headers: auth });
    expect(posted.status).toBe(200);
    expect((await posted.json()).deleted.guestCarts).toBe(2);

    const [last] = await sql`select trigger, dry_run, deleted from cart_cleanup_runs order by id desc limit 1`;
    expect(last).toMatchObject({ trigger: "cron", dry_run: false, deleted: expect.objectContaining({ guestCarts: 2 }) });
  });

  it("counts without deleting with ?dryRun=1", async () => {
    await sql`truncate cart_carts cascade`;
    await oldGuestCarts(2);
    const res = await app.fetch(`${app.url}/api/cron/cleanup?dryRun=1`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true, batches: 0, deleted: { guestCarts: 2 } });
    expect(await count()).toBe(2);
  });

  it("is a 404 without CRON_SECRET, whatever the request carries", async () => {
    // Another instance on the same database, without CRON_SECRET (its connections are app's: not closed here).
    const bare = await startInProcessApp({ ...backend.env });
    {
      for (const headers of [undefined, { authorization: `Bearer ${SECRET}` }, { authorization: "Bearer " }]) {
        for (const method of ["GET", "POST"]) {
          const res = await cron(bare, { method, headers });
          expect(res.status).toBe(404);
          expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
        }
      }
    }
    expect(await count()).toBe(2);
  });
});

describe("abandoned carts through /api/cron/cleanup", () => {
  it("tells an idle signed-in cart once per idle period, its recovery link on PUBLIC_ORIGIN (not the first allowed origin)", async () => {
    const clock = new TestClock();
    // Another instance on the same database, with events on (its connections are app's: not closed here).
    // No worker runs (start() is not called): the events stay in the outbox, where the test reads them.
    const shop = await startInProcessApp(
      {
        ...backend.env,
        CRON_SECRET: SECRET,
        PUBLIC_ORIGIN: "https://shop.example",
        ALLOWED_ORIGINS: "https://other.example",
        WEBHOOK_URLS: "http://127.0.0.1:9/hooks",
        WEBHOOK_SECRET: `whsec_${Buffer.from("cron-abandoned-secret-0123456789").toString("base64")}`,
      },
      { now: clock.now },
    );
    const userId = `user-${Math.random().toString(36).slice(2)}`;
    const browser = new Browser("https://shop.example");
    await shop.cart.runtime.run(() => beginUserSession({ id: userId, email: `${userId}@example.com` }, browser.io()));
    const added = await browser.call(shop.cart, "POST", "/api/cart/items", { json: { productId: "sku-mug-stoneware", quantity: 2 } });
    expect(added.status).toBe(200);
    const told = () => sql`select payload from cart_event_outbox where type = 'cart.abandoned' and cart_id = ${added.body.id}`;
    const run = async () => {
      const res = await cron(shop, { method: "POST", headers: { authorization: `Bearer ${SECRET}` } });
      expect(res.status).toBe(200);
    };

    await run();
    expect(await told()).toHaveLength(0);
    clock.advance(3_601_000);
    await run();
    await run();
    const rows = await told();
    expect(rows).toHaveLength(1);
    const data = (rows[0]!.payload as { data: { recoveryUrl: string; email: string; version: number } }).data;
    expect(data).toMatchObject({ email: `${userId}@example.com`, version: added.body.version });
    const url = new URL(data.recoveryUrl);
    expect(url.origin + url.pathname).toBe("https://shop.example/cart/recover");
    expect(url.searchParams.get("token")).toMatch(/.{20,}/);
  });
});

describe("the in-process schedule", () => {
  it("starts although the database is down at boot, and cleans once it is back", async () => {
    // A database that does not exist yet: the app boots, logs that it is not ready, serves 503s.
    const name = `cart_test_cron_late_${Date.now().toString(36)}`;
    const url = new URL(adminDatabaseUrl);
    url.pathname = `/${name}`;
    const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    let notReady!: () => void;
    const saidNotReady = new Promise<void>((resolve) => (notReady = resolve));
    const booting = startApp(
      {
        DATABASE_URL: url.toString(),
        REDIS_URL: backend.env.REDIS_URL!,
        STORE_KEY_PREFIX: `${backend.env.STORE_KEY_PREFIX}late:`,
        CLEANUP_SCHEDULE: "1",
        CLEANUP_INTERVAL_SECONDS: "1",
        LOG_LEVEL: "info",
      },
      { onOutput: (output) => output.includes("database not ready at start") && notReady() },
    );
    let late: AppServer | undefined;
    let lateSql: postgres.Sql | undefined;
    try {
      // Booted without its database (it says so), then the database appears.
      await Promise.race([saidNotReady, booting]);
      await admin.unsafe(`create database ${name}`);
      late = await booting;
      expect(late.output()).toContain("database not ready at start");
      lateSql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await lateSql`insert into cart_carts (currency, updated_at) select 'USD', now() - interval '30 days' from generate_series(1, 3)`;
      const cleaned = await eventually(async () => (await lateSql!`select count(*)::int as n from cart_carts`)[0]!.n === 0, 15_000, 200);
      expect(cleaned).toBe(true);
      // The run is recorded once all its kinds are done, a moment after the carts went.
      const recorded = await eventually(
        async () => (await lateSql!`select 1 from cart_cleanup_runs where trigger = 'schedule' and (deleted->>'guestCarts')::int = 3`).length === 1,
        5_000,
        100,
      );
      expect(recorded).toBe(true);
    } finally {
      await lateSql?.end();
      await (late ?? (await booting.catch(() => undefined)))?.stop();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describe("the CLI on the embedded default", () => {
  it("refuses to open the PGlite directory of a running app, saying what to do instead, and runs once the app is stopped", async () => {
    const embedded = await prepareBackend("pglite+memory", "cronpglite");
    // The app holding the directory is the instance here: the lock names this process.
    const running = await startInProcessApp({ ...embedded.env, CLEANUP_SCHEDULE: "0" });
    try {
      const refused = spawnCleanup({ ...embedded.env });
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toContain("is in use by process");
      expect(refused.stderr()).toContain("one process per directory");
      expect(refused.stderr()).toContain("POST /api/cron/cleanup");
      expect(refused.stderr()).not.toContain("    at "); // no stack trace
      // The app still serves from its database.
      expect((await running.fetch(`${running.url}/api/health`)).status).toBe(200);
    } finally {
      await running.stop();
    }
    try {
      const run = await runCleanupCli({ ...embedded.env });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("on embedded PGlite");
      expect(run.result.complete).toBe(true);
    } finally {
      await embedded.cleanup();
    }
  });
});
