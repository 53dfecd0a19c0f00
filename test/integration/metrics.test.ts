import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionId } from "../support/actions";
import { startApp, type AppServer } from "../support/app";
import { markEmailVerified, signIn, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { parsePrometheusText, sampleValue, samplesMatching, scrape, type Family } from "../support/prometheus";
import { Shopper } from "../support/shopper";

/**
 * /api/metrics on the built app (Postgres + Redis): a scripted set of
 * requests shows up exactly in the counters and histograms (as deltas
 * between two scrapes), the text parses strictly, METRICS_TOKEN guards it;
 * and the admin's stats and "run cleanup now" action are for admins only.
 *
 * The demo's instance runs in this process (test/support/in-process-app.ts)
 * and is scraped through its route handlers: the counts are this process's,
 * as a server's are its own. One real `next start` on the same backend stays
 * for what only it shows: the /admin page, the admin's action over HTTP
 * (Next.js's own origin check) and the audit line in the server's log; the
 * counts that test reads are that server's.
 */
const TOKEN = "metrics-token-0123456789abcdef";
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const ADMIN = uniqueEmail("admin");
const PASSWORD = "correct horse battery staple";

const requests = (f: Map<string, Family>, route: string, method: string, status: number) =>
  sampleValue(f, "http_request_duration_seconds_count", { route, method, status: String(status) });

describe("metrics and the admin endpoints (Postgres + Redis)", () => {
  let backend: Backend;
  let app: InProcessApp;
  let server: AppServer;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "metrics");
    const env = { ...backend.env, METRICS_TOKEN: TOKEN, ADMIN_EMAILS: ` ${ADMIN.toUpperCase()} , someone-else@example.com`, LOG_LEVEL: "info" };
    [app, server] = await Promise.all([startInProcessApp({ ...env, LOG_LEVEL: "error" }), startApp(env)]);
  });

  afterAll(async () => {
    await server?.stop();
    await app?.stop();
    await backend?.cleanup();
  });

  const scrapeHere = () => scrape(app.url, TOKEN, app.fetch);

  it("counts a scripted set of requests exactly, by route pattern and status", async () => {
    const before = await scrapeHere();
    const s = new Shopper(app.url, app.fetch);
    for (let i = 0; i < 3; i += 1) expect((await s.getCart()).status).toBe(200);
    expect((await s.add(TEE)).status).toBe(200);
    expect((await s.add(TEE)).status).toBe(200);
    const refused = await s.add("sku-no-such-product");
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("PRODUCT_NOT_FOUND");
    const missing = await s.setQuantity(MUG, 2);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("ITEM_NOT_FOUND");
    const after = await scrapeHere();

    const delta = (route: string, method: string, status: number) => requests(after, route, method, status) - requests(before, route, method, status);
    expect(delta("/api/cart", "GET", 200)).toBe(3);
    expect(delta("/api/cart/items", "POST", 200)).toBe(2);
    expect(delta("/api/cart/items", "POST", 422)).toBe(1);
    expect(delta("/api/cart/items/[productId]", "PATCH", 404)).toBe(1);
    // Nothing else was counted: 7 requests in all besides the scrapes themselves, and no label carries a raw path.
    const total = (f: Map<string, Family>) =>
      samplesMatching(f, "http_request_duration_seconds_count")
        .filter((x) => x.labels.route !== "/api/metrics")
        .reduce((n, x) => n + x.value, 0);
    expect(total(after) - total(before)).toBe(7);
    for (const sample of samplesMatching(after, "http_request_duration_seconds_count")) {
      expect(sample.labels.route).not.toContain("sku-");
    }

    // The histogram's buckets moved with its count: each request landed in exactly one bucket.
    const buckets = (f: Map<string, Family>) =>
      samplesMatching(f, "http_request_duration_seconds_bucket", { route: "/api/cart", method: "GET", status: "200" }).map((b) => [b.labels.le, b.value] as const);
    const was = new Map(buckets(before));
    const moved = buckets(after).map(([le, v]) => [le, v - (was.get(le) ?? 0)] as const);
    expect(moved.find(([le]) => le === "+Inf")?.[1]).toBe(3);
    expect(moved.map(([le]) => le)).toEqual(["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.15", "0.25", "0.5", "1", "2.5", "+Inf"]);
    const sumDelta =
      sampleValue(after, "http_request_duration_seconds_sum", { route: "/api/cart", method: "GET", status: "200" }) -
      sampleValue(before, "http_request_duration_seconds_sum", { route: "/api/cart", method: "GET", status: "200" });
    expect(sumDelta).toBeGreaterThan(0);

    const ops = (f: Map<string, Family>, kind: string, outcome: string) => sampleValue(f, "cart_operations_total", { kind, outcome });
    expect(ops(after, "add", "changed") - ops(before, "add", "changed")).toBe(2);
    expect(ops(after, "add", "PRODUCT_NOT_FOUND") - ops(before, "add", "PRODUCT_NOT_FOUND")).toBe(1);
    expect(ops(after, "set", "ITEM_NOT_FOUND") - ops(before, "set", "ITEM_NOT_FOUND")).toBe(1);
    const allOps = (f: Map<string, Family>) => samplesMatching(f, "cart_operations_total").reduce((n, x) => n + x.value, 0);
    expect(allOps(after) - allOps(before)).toBe(4);
    // One guest session got its first record (at its first add).
    expect(sampleValue(after, "cart_guest_sessions_recorded_total") - sampleValue(before, "cart_guest_sessions_recorded_total")).toBe(1);
    const lookups = (f: Map<string, Family>) => samplesMatching(f, "cart_cache_lookups_total").reduce((n, x) => n + x.value, 0);
    expect(lookups(after) - lookups(before)).toBeGreaterThan(0);
  });

  it("counts idempotent replays and reused keys", async () => {
    const before = await scrapeHere();
    const s = new Shopper(app.url, app.fetch);
    await s.getCart();
    const key = { "idempotency-key": `metrics-${Date.now()}` };
    expect((await s.add(TEE, 1, key)).status).toBe(200);
    const replay = await s.add(TEE, 1, key);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await s.add(MUG, 1, key)).body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const after = await scrapeHere();
    const idem = (f: Map<string, Family>, result: string) => sampleValue(f, "cart_idempotent_requests_total", { result });
    expect(idem(after, "replayed") - idem(before, "replayed")).toBe(1);
    expect(idem(after, "reused") - idem(before, "reused")).toBe(1);
    expect(idem(after, "in_progress") - idem(before, "in_progress")).toBe(0);
  });

  it("counts merges at sign-in and recovery redemptions", async () => {
    const before = await scrapeHere();
    const email = uniqueEmail("merge");
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(TEE, 2)).status).toBe(200);
    expect((await s.request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
    await signIn(s, email, PASSWORD);
    expect((await s.getCart()).body.items).toHaveLength(1);

    const link = await s.request("POST", "/api/cart/recovery-link");
    expect(link.status).toBe(201);
    const token = new URL(link.body.url).searchParams.get("token")!;
    const opener = new Shopper(app.url, app.fetch);
    await opener.getCart();
    const confirm = () =>
      opener.request("POST", "/cart/recover/confirm", {
        body: new URLSearchParams({ token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url },
      });
    expect((await confirm()).headers.get("location")).toBe(`${app.url}/cart?restored=1`);
    expect((await confirm()).headers.get("location")).toBe(`${app.url}/cart?restored=again`);
    const after = await scrapeHere();

    const d = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(d("cart_merges_total", { outcome: "merged" })).toBe(1);
    expect(d("cart_operations_total", { kind: "merge", outcome: "changed" })).toBe(1);
    expect(d("cart_recovery_redemptions_total", { outcome: "restored" })).toBe(1);
    expect(d("cart_recovery_redemptions_total", { outcome: "already" })).toBe(1);
    expect(d("cart_operations_total", { kind: "restore", outcome: "changed" })).toBe(1);
    expect(d("cart_operations_total", { kind: "restore", outcome: "unchanged" })).toBe(1);
    expect(d("http_request_duration_seconds_count", { route: "/cart/recover/confirm", method: "POST", status: "303" })).toBe(2);
  });

  it("serves the text format a strict parser accepts, with the process, pool and store gauges", async () => {
    const res = await app.fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const families = parsePrometheusText(await res.text());
    expect(families.get("http_request_duration_seconds")?.type).toBe("histogram");
    expect(families.get("cart_operations_total")?.type).toBe("counter");
    expect(families.get("nodejs_eventloop_lag_seconds")?.type).toBe("gauge");
    expect(families.get("nodejs_eventloop_lag_p99_seconds")?.type).toBe("gauge");
    expect(sampleValue(families, "cart_db_pool_max_connections")).toBe(10);
    expect(sampleValue(families, "cart_store_circuit_open")).toBe(0);
    for (const [name, family] of families) {
      if (family.type === "counter") expect(name).toMatch(/_total$/);
      expect(name).not.toMatch(/_(ms|milliseconds)$/);
    }
  });

  it("counts the pool's use while writes are in flight, and nothing once they are done", async () => {
    const inUse = (f: Map<string, Family>) => sampleValue(f, "cart_db_queries_in_flight") + sampleValue(f, "cart_db_transactions_in_flight");
    const shoppers = Array.from({ length: 20 }, () => new Shopper(app.url, app.fetch));
    await Promise.all(shoppers.map((s) => s.getCart()));
    const writes = Promise.all(shoppers.flatMap((s) => [s.add(TEE), s.add(MUG), s.add(TEE)]));
    let seen = 0;
    // In this process a scrape is no HTTP round trip and does no I/O: each waits for the event
    // loop to turn (the writes' I/O goes on meanwhile), as a request from outside would.
    for (let i = 0; i < 10; i += 1) {
      await new Promise((r) => setImmediate(r));
      seen = Math.max(seen, inUse(await scrapeHere()));
    }
    expect((await writes).every((r) => r.status === 200)).toBe(true);
    expect(seen).toBeGreaterThan(0);
    expect(inUse(await scrapeHere())).toBe(0);
  });

  it("refuses /api/metrics without the token, with a wrong one and with another scheme (401, contract body)", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token-0123456789abcdef" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await app.fetch(`${app.url}/api/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.json();
      expect(body).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
  });

  it("gives the dashboard's stats to an admin only; guests and other shoppers get 404", async () => {
    const guest = new Shopper(app.url, app.fetch);
    const asGuest = await guest.request("GET", "/api/admin/stats");
    expect(asGuest.status).toBe(404);
    expect(asGuest.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });

    const shopperEmail = uniqueEmail("shopper");
    const shopper = new Shopper(app.url, app.fetch);
    expect((await shopper.request("POST", "/api/auth/register", { json: { email: shopperEmail, password: PASSWORD } })).status).toBe(201);
    await signIn(shopper, shopperEmail, PASSWORD);
    expect((await shopper.request("GET", "/api/session")).body.user.email).toBe(shopperEmail);
    expect((await shopper.request("GET", "/api/admin/stats")).status).toBe(404);
    // The page, from the real server: the same cookies reach the same sessions there.
    const page = (s: Shopper) => new Shopper(server.url).request<string>("GET", "/admin", { headers: { cookie: s.cookieHeader() } });
    expect((await page(shopper)).status).toBe(404);
    expect((await page(guest)).status).toBe(404);

    const admin = new Shopper(app.url, app.fetch);
    expect((await admin.request("POST", "/api/auth/register", { json: { email: ADMIN, password: PASSWORD } })).status).toBe(201);
    // A sign-up's address is not verified: not an admin yet, whatever ADMIN_EMAILS says.
    await signIn(admin, ADMIN, PASSWORD);
    expect((await admin.request("GET", "/api/admin/stats")).status).toBe(404);
    // As a provider that verifies addresses would (GitHub): now ADMIN_EMAILS names this account.
    await markEmailVerified(backend.env.DATABASE_URL!, ADMIN);
    const stats = await admin.request("GET", "/api/admin/stats");
    expect(stats.status).toBe(200);
    expect(stats.headers.get("cache-control")).toBe("no-store");
    expect(stats.body.sessions.signedIn).toBeGreaterThanOrEqual(2);
    expect(stats.body.sessions.guestsApprox).toBeGreaterThanOrEqual(1);
    expect(stats.body.carts.byStatus.active).toBeGreaterThanOrEqual(2);
    expect(stats.body.carts.byAge.guest).toHaveLength(5);
    expect(stats.body.times.length).toBeGreaterThanOrEqual(1);
    expect(stats.body.latency.map((l: { route: string }) => l.route)).toContain("GET /api/cart");
    const adminPage = await page(admin);
    expect(adminPage.status).toBe(200);
    expect(adminPage.body).toContain("Operations");
  });

  it("runs the cleanup from the admin's server action: same origin and admins only, audited in the log", async () => {
    const callCleanup = async (shopper: Shopper, origin: string, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.append("0", "[]");
      const reply = await shopper.request<string>("POST", "/admin", {
        body: form,
        headers: { "next-action": actionId("runCleanupNowAction"), accept: "text/x-component", origin, ...extra },
      });
      const rows = new Map<string, string>();
      for (const line of String(reply.body).split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) rows.set(line.slice(0, colon), line.slice(colon + 1));
      }
      const ref = /^\$@([0-9a-f]+)$/.exec((JSON.parse(rows.get("0") ?? "null") as { a?: string } | null)?.a ?? "")?.[1];
      const row = ref === undefined ? undefined : rows.get(ref);
      if (row === undefined) throw new Error(`no action result (${reply.status}): ${String(reply.body).slice(0, 300)}`);
      // An error row (E{digest}): the action was aborted before it ran.
      if (row.startsWith("E")) return { ok: false, error: { code: "ABORTED" } };
      return JSON.parse(row) as { ok: boolean; run?: { removed: Record<string, number>; trigger: string }; error?: { code: string } };
    };

    const guest = new Shopper(server.url);
    await guest.getCart();
    expect((await callCleanup(guest, server.url)).error?.code).toBe("NOT_FOUND");

    const admin = new Shopper(server.url);
    // Registered by the test before (409) or now (201), when this test runs alone.
    expect([201, 409]).toContain((await admin.request("POST", "/api/auth/register", { json: { email: ADMIN, password: PASSWORD } })).status);
    await markEmailVerified(backend.env.DATABASE_URL!, ADMIN);
    await signIn(admin, ADMIN, PASSWORD);
    expect((await admin.request("GET", "/api/session")).body.user.email).toBe(ADMIN);
    const before = await scrape(server.url, TOKEN);
    // Another origin: Next.js aborts the action itself; a cross-site fetch from our own host's page: ours refuses it.
    expect((await callCleanup(admin, "https://evil.example")).ok).toBe(false);
    expect((await callCleanup(admin, server.url, { "sec-fetch-site": "cross-site" })).error?.code).toBe("FORBIDDEN_ORIGIN");

    const done = await callCleanup(admin, server.url);
    expect(done.ok).toBe(true);
    expect(done.run?.trigger).toBe("admin");
    expect(Object.keys(done.run?.removed ?? {})).toEqual(expect.arrayContaining(["guestCarts", "recoveryLinks", "idempotencyKeys", "userSessions"]));
    const after = await scrape(server.url, TOKEN);
    expect(sampleValue(after, "cart_cleanup_runs_total", { outcome: "ok" }) - sampleValue(before, "cart_cleanup_runs_total", { outcome: "ok" })).toBe(1);

    // Info lines are written in batches (every 100 ms): wait for the line rather than for a fixed time.
    const auditLines = () =>
      server
        .output()
        .split("\n")
        .filter((l) => l.includes('"admin ran the cleanup"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await expect.poll(auditLines).toHaveLength(1);
    const audit = auditLines();
    expect(audit[0]).toMatchObject({ level: "info", admin: ADMIN.toLowerCase(), ok: true, at: expect.any(String), removed: expect.any(Object) });
    expect(server.output()).toContain('"admin cleanup refused"');
    expect(server.output()).not.toContain(PASSWORD);

    const stats = await admin.request("GET", "/api/admin/stats");
    expect(stats.body.cleanup[0]).toMatchObject({ trigger: "admin", ok: true });
  });
});

/** Limits count per fixed minute of the instance's clock: the test starts in a fresh one. */
const clock = new TestClock();

describe("rate-limit rejections and store fallbacks in the metrics (own Redis process)", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: InProcessApp;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "metrics_faults");
    app = await startInProcessApp({ ...backend.env, REDIS_URL: redis.url, RATE_LIMIT_DISABLED: "", RATE_LIMIT_WRITES_PER_MINUTE: "2", SIGNIN_LIMIT_PER_ACCOUNT: "2" }, { now: clock.now });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  it("counts a rate-limited write by its scope", async () => {
    clock.freshWindow();
    const before = await scrape(app.url, undefined, app.fetch);
    const s = new Shopper(app.url, app.fetch);
    await s.getCart();
    expect((await s.add(TEE)).status).toBe(200);
    expect((await s.add(TEE)).status).toBe(200);
    expect((await s.add(TEE)).status).toBe(429);
    const after = await scrape(app.url, undefined, app.fetch);
    const d = (labels: Record<string, string>) => sampleValue(after, "cart_rejections_total", labels) - sampleValue(before, "cart_rejections_total", labels);
    expect(d({ reason: "rate_limit", scope: "session" })).toBe(1);
    expect(d({ reason: "rate_limit", scope: "address" })).toBe(0);
    expect(
      sampleValue(after, "http_request_duration_seconds_count", { route: "/api/cart/items", method: "POST", status: "429" }) -
        sampleValue(before, "http_request_duration_seconds_count", { route: "/api/cart/items", method: "POST", status: "429" }),
    ).toBe(1);
  });

  it("counts the sign-in guessing limit's refusals", async () => {
    const before = await scrape(app.url, undefined, app.fetch);
    const email = uniqueEmail("guess");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await signIn(new Shopper(app.url, app.fetch), email, `wrong-password-${i}`)).status);
    const refused = statuses.filter((st) => st === 429).length;
    expect(refused).toBeGreaterThan(0);
    const after = await scrape(app.url, undefined, app.fetch);
    const d = (labels: Record<string, string>) => sampleValue(after, "cart_rejections_total", labels) - sampleValue(before, "cart_rejections_total", labels);
    expect(d({ reason: "rate_limit", scope: "auth_account" })).toBe(refused);
    expect(d({ reason: "rate_limit", scope: "session" })).toBe(0);
  });

  it("counts store fallbacks while Redis is down, and the breaker's skips; the gauge closes once Redis is back", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.getCart();
    const before = await scrape(app.url, undefined, app.fetch);
    await redis.kill();
    for (let i = 0; i < 6; i += 1) expect((await s.getCart()).status).toBe(200);
    const during = await scrape(app.url, undefined, app.fetch);
    const fallbacks = (f: Map<string, Family>, reason: string) => sampleValue(f, "cart_store_fallbacks_total", { reason });
    const failed = ["timeout", "error"].reduce((n, r) => n + fallbacks(during, r) - fallbacks(before, r), 0);
    // Three failed calls open the breaker; the calls after it are skipped, not attempted.
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(fallbacks(during, "circuit_open") - fallbacks(before, "circuit_open")).toBeGreaterThan(0);

    await redis.start();
    // The health probe bypasses and resets the breaker.
    await expect.poll(async () => (await (await app.fetch(`${app.url}/api/health`)).json()).status, { timeout: 15_000 }).toBe("ok");
    expect(sampleValue(await scrape(app.url, undefined, app.fetch), "cart_store_circuit_open")).toBe(0);
  });
});
