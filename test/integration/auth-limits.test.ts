import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { signIn, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type ActionName, type InProcessApp } from "../support/in-process-app";
import { TestClock } from "../support/clock";
import { captureLog } from "../support/log-capture";
import { RawClient, sendRefusedUpload } from "../support/raw-http";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Guessing limits on the sign-in and sign-up paths (Auth.js's credentials
 * route and the server actions), the client address behind a trusted proxy,
 * the cap on concurrent password hashes, bounded bodies on /api/auth/* and
 * server actions, and the operator's safe defaults (no demo accounts in
 * production, no backend text in /api/health). Rate limits are ON here.
 *
 * The demo's instance runs in this process (test/support/in-process-app.ts):
 * Auth.js's routes in Next.js's request scope, the sign-in and sign-up forms'
 * actions as Next.js calls them for a plain form post. Real servers stay for
 * what only they show: the rendered sign-in page, body limits enforced by the
 * HTTP server before anything is read (Node's and Next.js's own), and the
 * embedded database of a production process (PGlite is one process's).
 */
const PASSWORD = "correct horse battery";
const PER_ACCOUNT = 5;
const PER_ADDRESS = 10;
const REGISTER_PER_ADDRESS = 3;

const limitEnv = {
  RATE_LIMIT_DISABLED: "",
  TRUST_PROXY: "1",
  SIGNIN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
  SIGNIN_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
  REGISTER_LIMIT_PER_ADDRESS: String(REGISTER_PER_ADDRESS),
  // A generous store timeout: a count that fell back to the process on a slow moment would make counts inexact.
  STORE_TIMEOUT_MS: "2000",
};

let nextOctet = 0;
/** A fresh client address per call (TEST-NET-2/3 ranges), so tests never share a budget. */
function freshAddress(): string {
  nextOctet += 1;
  return `198.51.${Math.floor(nextOctet / 250)}.${(nextOctet % 250) + 1}`;
}
const randomAddress = () => `${1 + Math.floor(Math.random() * 223)}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

/** A shopper whose every request comes through the trusted proxy with this X-Forwarded-For. */
class ShopperVia extends Shopper {
  constructor(
    app: { url: string; fetch?: typeof fetch },
    readonly forwardedFor: () => string,
  ) {
    super(app.url, app.fetch);
  }

  override request<T = any>(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
    return super.request<T>(method, path, { ...options, headers: { "x-forwarded-for": this.forwardedFor(), ...options.headers } });
  }
}

function expectLimited(reply: Reply<any>, maxRetryAfter = 60) {
  expect(reply.status).toBe(429);
  const retryAfter = Number(reply.headers.get("retry-after"));
  expect(reply.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.any(String), details: { retryAfterSeconds: retryAfter } } });
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
}

const refusedAsWrongPassword = (reply: Reply) => reply.status === 302 && /error=CredentialsSignin/.test(reply.headers.get("location") ?? "");

function actionId(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"));
  const id = Object.entries(manifest.node as Record<string, { exportedName?: string }>).find(([, v]) => v.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action ${name}`);
  return id;
}

/** Posts a form to a server action the way a browser without JavaScript does (a real server's Next.js decodes it). */
async function postAction(app: AppServer, page: string, name: string, fields: Record<string, string>, headers: Record<string, string>) {
  const form = new FormData();
  form.set(`$ACTION_ID_${actionId(name)}`, "");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = await fetch(`${app.url}${page}`, { method: "POST", body: form, headers: { origin: app.url, ...headers }, redirect: "manual" });
  await res.arrayBuffer();
  return res;
}

/** The same form post, to the demo's action (app/actions/auth.ts, app/actions/cart.ts) as Next.js calls it here. */
const ACTIONS: Record<string, ActionName> = { signInAction: "signIn", signUpAction: "signUp", addToCartAction: "add" };
async function postActionHere(app: InProcessApp, page: string, name: string, fields: Record<string, string>, headers: Record<string, string>) {
  const { cookie, ...rest } = headers;
  const jar = new Shopper(app.url, app.fetch);
  for (const part of cookie ? cookie.split("; ") : []) jar.cookies.set(part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1));
  const answer = await app.action(jar, ACTIONS[name]!, fields, { headers: rest, page });
  expect(answer.status).toBe(303);
  return { status: answer.status, headers: new Headers({ location: answer.location! }) };
}

describe("guessing limits (Postgres + Redis, TRUST_PROXY=1)", () => {
  let backend: Backend;
  let app: InProcessApp;
  // One real server on the same database and Redis prefix: the sign-in page and the HTTP server's body limits.
  let server: AppServer;
  // Real time unless a test moves it: locks end on the instance's clock.
  const clock = new TestClock();

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "auth_limits");
    // The hash-cap test's readers read as fast as answers come for seconds on end: the read limits
    // (600 a minute by default) would refuse them there, which is not what it measures.
    const readsUnlimited = { RATE_LIMIT_READS_PER_MINUTE: "1000000", RATE_LIMIT_IP_PER_MINUTE: "1000000" };
    [app, server] = await Promise.all([startInProcessApp({ ...backend.env, ...limitEnv, ...readsUnlimited }, { now: clock.now }), startApp({ ...backend.env, ...limitEnv })]);
  });

  afterAll(async () => {
    await server?.stop();
    await app?.stop();
    await backend?.cleanup();
  });

  async function register(email: string) {
    const res = await new ShopperVia(app, freshAddress).request("POST", "/api/auth/register", { json: { email, password: PASSWORD } });
    expect(res.status).toBe(201);
  }

  it("locks one account against wrong passwords from many addresses well before 30 attempts, with Retry-After", async () => {
    const email = uniqueEmail("guess");
    await register(email);
    let firstLimited = -1;
    for (let attempt = 1; attempt <= 30 && firstLimited < 0; attempt += 1) {
      const reply = await signIn(new ShopperVia(app, freshAddress), email, `wrong password ${attempt}`);
      if (reply.status === 429) {
        firstLimited = attempt;
        expectLimited(reply);
      } else {
        expect(refusedAsWrongPassword(reply)).toBe(true);
      }
    }
    expect(firstLimited).toBe(PER_ACCOUNT + 1);
    // The lock holds for the correct password too (docs/reliability.md), and for the email in another case.
    expectLimited(await signIn(new ShopperVia(app, freshAddress), email, PASSWORD));
    expectLimited(await signIn(new ShopperVia(app, freshAddress), `  ${email.toUpperCase()}`, PASSWORD));
    // Another account is not locked by it.
    const other = uniqueEmail("guess-other");
    await register(other);
    const ok = await signIn(new ShopperVia(app, freshAddress), other, PASSWORD);
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).not.toMatch(/error/);
  });

  it("ends an account's lock on the instance's clock (AUTH_LOCK_SECONDS, 60 s by default), then takes the right password", async () => {
    const email = uniqueEmail("lock-ends");
    await register(email);
    for (let attempt = 1; attempt <= PER_ACCOUNT; attempt += 1) {
      expect(refusedAsWrongPassword(await signIn(new ShopperVia(app, freshAddress), email, `wrong password ${attempt}`))).toBe(true);
    }
    expectLimited(await signIn(new ShopperVia(app, freshAddress), email, "wrong password again"));
    expectLimited(await signIn(new ShopperVia(app, freshAddress), email, PASSWORD));
    clock.advance(61_000);
    const ok = await signIn(new ShopperVia(app, freshAddress), email, PASSWORD);
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).not.toMatch(/error/);
  });

  it("keeps Auth.js's answers for requests that are not limited (redirects, and JSON with X-Auth-Return-Redirect)", async () => {
    const email = uniqueEmail("shape");
    await register(email);
    const s = new ShopperVia(app, freshAddress);
    const csrf = await s.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
    const form = new URLSearchParams({ email, password: "wrong password", csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" }).toString();
    const json = await s.request("POST", "/api/auth/callback/credentials", {
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ url: expect.stringMatching(/\/signin\?error=CredentialsSignin&code=credentials$/) });
    // A success clears the account's count: five more wrong passwords are answered as such, not locked.
    const signedIn = await signIn(s, email, PASSWORD);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("location")).toMatch(/\/cart$/);
    for (let i = 0; i < PER_ACCOUNT; i += 1) {
      expect(refusedAsWrongPassword(await signIn(new ShopperVia(app, freshAddress), email, "wrong again"))).toBe(true);
    }
  });

  it("never clears the count on a refusal, whatever answer the client asks Auth.js for", async () => {
    const email = uniqueEmail("json");
    await register(email);
    for (let i = 0; i < PER_ACCOUNT; i += 1) {
      // Half through the route in JSON mode, half through the action with the same header.
      const headers = { "x-auth-return-redirect": "1", "x-forwarded-for": freshAddress() };
      if (i % 2 === 0) {
        const s = new ShopperVia(app, freshAddress);
        const csrf = await s.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
        const reply = await s.request("POST", "/api/auth/callback/credentials", {
          body: new URLSearchParams({ email, password: "wrong password", csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        });
        expect(reply.body).toEqual({ url: expect.stringContaining("error=CredentialsSignin") });
      } else {
        const res = await postActionHere(app, "/signin", "signInAction", { email, password: "wrong password", returnTo: "/cart" }, headers);
        expect(res.headers.get("location")).toMatch(/^\/signin\?error=CredentialsSignin/);
      }
    }
    expectLimited(await signIn(new ShopperVia(app, freshAddress), email, PASSWORD));
  });

  it("counts the address the proxy appended: a rotating or unparsable leftmost X-Forwarded-For changes nothing", async () => {
    const proxySaw = freshAddress();
    const rotating = new ShopperVia(app, () => `${randomAddress()}, ${proxySaw}`);
    let firstLimited = -1;
    for (let attempt = 1; attempt <= PER_ADDRESS + 5 && firstLimited < 0; attempt += 1) {
      // A new account each time, so only the address can bind them.
      const reply = await signIn(rotating, uniqueEmail("rot"), "wrong password");
      if (reply.status === 429) firstLimited = attempt;
      else expect(refusedAsWrongPassword(reply)).toBe(true);
    }
    expect(firstLimited).toBe(PER_ADDRESS + 1);
    for (const left of ["garbage", "", "unknown", "::1", "10.0.0.1, 10.0.0.2"]) {
      expectLimited(await signIn(new ShopperVia(app, () => `${left}, ${proxySaw}`), uniqueEmail("left"), "wrong password"), 60);
    }
    // The same holds on the sign-in action.
    const res = await postActionHere(app, "/signin", "signInAction", { email: uniqueEmail("act"), password: "wrong password", returnTo: "/cart" }, { "x-forwarded-for": `garbage, ${proxySaw}` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/signin\?error=RATE_LIMITED&retryAfter=\d+&returnTo=%2Fcart$/);
  });

  it("counts every entry that does not parse as one shared address, never as no limit", async () => {
    let firstLimited = -1;
    for (let attempt = 1; attempt <= PER_ADDRESS + 5 && firstLimited < 0; attempt += 1) {
      const reply = await signIn(new ShopperVia(app, () => `not-an-address-${attempt}`), uniqueEmail("unparsable"), "wrong password");
      if (reply.status === 429) firstLimited = attempt;
      else expect(refusedAsWrongPassword(reply)).toBe(true);
    }
    expect(firstLimited).toBe(PER_ADDRESS + 1);
  });

  it("limits sign-ups from one address (API and action), whatever the client writes on the left", async () => {
    const proxySaw = freshAddress();
    const from = new ShopperVia(app, () => `${randomAddress()}, ${proxySaw}`);
    for (let i = 0; i < REGISTER_PER_ADDRESS; i += 1) {
      expect((await from.request("POST", "/api/auth/register", { json: { email: uniqueEmail("reg"), password: PASSWORD } })).status).toBe(201);
    }
    const refused = await from.request("POST", "/api/auth/register", { json: { email: uniqueEmail("reg"), password: PASSWORD } });
    expectLimited(refused);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const res = await postActionHere(app, "/signup", "signUpAction", { email: uniqueEmail("reg-act"), password: PASSWORD, returnTo: "/cart" }, { "x-forwarded-for": proxySaw });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/signup\?error=RATE_LIMITED&retryAfter=\d+&returnTo=%2Fcart$/);
    // Another address signs up as before.
    expect((await new ShopperVia(app, freshAddress).request("POST", "/api/auth/register", { json: { email: uniqueEmail("reg"), password: PASSWORD } })).status).toBe(201);
  });

  it("shows the sign-in page's plain words after too many attempts, not an error page", async () => {
    const email = uniqueEmail("page");
    await register(email);
    let location = "";
    for (let attempt = 1; attempt <= PER_ACCOUNT + 1; attempt += 1) {
      const res = await postActionHere(app, "/signin", "signInAction", { email, password: "wrong password", returnTo: "/cart" }, { "x-forwarded-for": freshAddress() });
      expect(res.status).toBe(303);
      location = res.headers.get("location") ?? "";
      if (attempt <= PER_ACCOUNT) expect(location).toMatch(/error=CredentialsSignin/);
    }
    expect(location).toMatch(/error=RATE_LIMITED&retryAfter=\d+/);
    const page = await fetch(`${server.url}${location}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Too many attempts. Try again in 1 minute.");
    expect(html).not.toContain("demo-password");
  });

  it("refuses a 1 MB body to the credentials route with 413 before reading it, also chunked", async () => {
    const big = `email=a%40b.c&password=${"x".repeat(1024 * 1024)}`;
    const started = performance.now();
    const declared = await sendRefusedUpload(() =>
      new Shopper(server.url).request("POST", "/api/auth/callback/credentials", { body: big, headers: { "content-type": "application/x-www-form-urlencoded" } }),
    );
    const declaredMs = performance.now() - started;
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });

    const raw = new RawClient(server.url, 2);
    try {
      const chunkedStarted = performance.now();
      const chunked = await sendRefusedUpload(() => raw.sendInChunks({ method: "POST", path: "/api/auth/callback/credentials", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big }));
      const chunkedMs = performance.now() - chunkedStarted;
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.text)).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
      // Every other Auth.js POST has the same limit.
      const signout = await sendRefusedUpload(() => raw.sendInChunks({ method: "POST", path: "/api/auth/signout", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big }));
      expect(signout.status).toBe(413);
      console.log(`[auth-limits] 1 MB body to /api/auth/callback/credentials: 413 in ${declaredMs.toFixed(0)} ms (Content-Length), ${chunkedMs.toFixed(0)} ms (chunked)`);
    } finally {
      raw.close();
    }
  });

  it("refuses a large body to a server action, and the action changes nothing", async () => {
    const s = new ShopperVia(server, freshAddress);
    expect((await s.getCart()).status).toBe(200);
    const address = freshAddress();
    const declared = await sendRefusedUpload(() =>
      postAction(server, "/cart", "addToCartAction", { productId: "sku-mug-stoneware", quantity: "1", returnTo: "/cart", padding: "x".repeat(1024 * 1024) }, { cookie: s.cookieHeader(), "x-forwarded-for": address }),
    );
    expect(declared.status).toBe(413);

    // Without Content-Length, Next.js's own limit (next.config.ts) stops it after 16 KiB.
    const boundary = "----limit";
    const body = [`--${boundary}`, `Content-Disposition: form-data; name="$ACTION_ID_${actionId("addToCartAction")}"`, "", "", `--${boundary}`, 'Content-Disposition: form-data; name="productId"', "", "sku-mug-stoneware", `--${boundary}`, 'Content-Disposition: form-data; name="padding"', "", "x".repeat(1024 * 1024), `--${boundary}--`, ""].join("\r\n");
    const raw = new RawClient(server.url, 2);
    try {
      const chunked = await sendRefusedUpload(() => raw.sendInChunks({ method: "POST", path: "/cart", headers: { "content-type": `multipart/form-data; boundary=${boundary}`, origin: server.url, cookie: s.cookieHeader(), "x-forwarded-for": address }, body }));
      expect(chunked.status).toBeGreaterThanOrEqual(400);
    } finally {
      raw.close();
    }
    expect((await s.getCart()).body.items).toEqual([]);
  });

  it("caps concurrent password hashes: a burst of 50 sign-ins is limited; GET /api/cart latency is printed", async () => {
    // Four readers with their own sessions, measured the same way with and without the burst.
    const readers = Array.from({ length: 4 }, () => new ShopperVia(app, (() => { const a = freshAddress(); return () => a; })()));
    for (const reader of readers) expect((await reader.getCart()).status).toBe(200);
    const sample = async (going: () => boolean) => {
      const ms: number[] = [];
      await Promise.all(
        readers.map(async (reader) => {
          while (going()) {
            const started = performance.now();
            expect((await reader.getCart()).status).toBe(200);
            ms.push(performance.now() - started);
          }
        }),
      );
      return ms;
    };
    const summary = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms (n=${ms.length})`;
    };
    const quietUntil = performance.now() + 2_000;
    const quiet = await sample(() => performance.now() < quietUntil);

    // 50 sign-ins that every guessing limit lets through (a fresh address and account each): only the hash cap stands.
    const attempts = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const s = new ShopperVia(app, (() => { const a = freshAddress(); return () => a; })());
        const csrf = await s.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
        return { s, form: new URLSearchParams({ email: uniqueEmail("burst"), password: "wrong password", csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" }).toString() };
      }),
    );
    let bursting = true;
    const burst = Promise.all(
      attempts.map(({ s, form }) => s.request("POST", "/api/auth/callback/credentials", { body: form, headers: { "content-type": "application/x-www-form-urlencoded" } })),
    ).finally(() => {
      bursting = false;
    });
    const during = await sample(() => bursting);
    const replies = await burst;

    const statuses = replies.map((r) => r.status);
    const overloaded = replies.filter((r) => r.status === 503);
    for (const r of overloaded) {
      expect(r.body).toEqual({ error: { code: "OVERLOADED", message: expect.any(String) } });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // Limited: some were turned away (503 OVERLOADED) instead of all queueing; the rest were ordinary refusals.
    expect(overloaded.length).toBeGreaterThan(0);
    expect(statuses.every((st) => st === 503 || st === 302)).toBe(true);
    console.log(`[auth-limits] GET /api/cart without a burst: ${summary(quiet)}; during 50 concurrent sign-ins: ${summary(during)}; burst answers: ${overloaded.length}x 503, ${statuses.filter((st) => st === 302).length}x 302`);
  });
});

describe("guessing limits while the store is away", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: InProcessApp;
  // Another market in the same process, on the same database and Redis: its own scope, cookie and key prefix.
  let otherMarket: InProcessApp;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "auth_limits_open");
    const onRedis = { ...backend.env, ...limitEnv, REDIS_URL: redis.url, STORE_TIMEOUT_MS: "100" };
    app = await startInProcessApp(onRedis);
    otherMarket = await startInProcessApp({ ...onRedis, SESSION_COOKIE_NAME: "eu_cart_session", STORE_KEY_PREFIX: `${backend.env.STORE_KEY_PREFIX}eu:` }, { scope: "eu" });
  });

  afterAll(async () => {
    await otherMarket?.stop();
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  it("do not fail open: they count in the process, per account and per address", async () => {
    const email = uniqueEmail("away");
    expect((await new ShopperVia(app, freshAddress).request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
    await redis.kill();
    let firstLimited = -1;
    for (let attempt = 1; attempt <= 30 && firstLimited < 0; attempt += 1) {
      const reply = await signIn(new ShopperVia(app, freshAddress), email, "wrong password");
      if (reply.status === 429) {
        firstLimited = attempt;
        expectLimited(reply);
      } else {
        expect(refusedAsWrongPassword(reply)).toBe(true);
      }
    }
    expect(firstLimited).toBe(PER_ACCOUNT + 1);
    // Counted in this instance's process store, not another market's: there the account is not locked.
    const elsewhere = await signIn(new ShopperVia(otherMarket, freshAddress), email, PASSWORD);
    expect(elsewhere.status).toBe(302);
    expect(elsewhere.headers.get("location")).not.toMatch(/error/);
    const proxySaw = freshAddress();
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= PER_ADDRESS + 1; attempt += 1) {
      statuses.push((await signIn(new ShopperVia(app, () => `${randomAddress()}, ${proxySaw}`), uniqueEmail("away-addr"), "wrong password")).status);
    }
    expect(statuses.slice(0, PER_ADDRESS).every((st) => st === 302)).toBe(true);
    expect(statuses[PER_ADDRESS]).toBe(429);
    await redis.start();
  });
});

describe("operator defaults (embedded default in production, no TRUST_PROXY)", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cart-demo-prod-"));
    // An earlier development run left the demo accounts in the embedded database.
    const { PGlite } = await import("@electric-sql/pglite");
    const { migratePglite } = await import("@/lib/storage/migrate");
    const { hash } = await import("@node-rs/argon2");
    const client = await PGlite.create({ dataDir: path.join(dir, "pglite") });
    await migratePglite(client);
    for (const [email, password] of [["demo@example.com", "demo-password"], ["shopper@example.com", "shopper-password"]]) {
      await client.query("insert into cart_users (id, email, password_hash) values ($1, $2, $3)", [crypto.randomUUID(), email, await hash(password!, { memoryCost: 19_456, timeCost: 2, parallelism: 1 })]);
    }
    await client.close();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses the demo passwords, hides the demo hint, keeps forwarded hosts out of links and holds the global sign-up budget", async () => {
    const app = await startApp({ DATA_DIR: dir, RATE_LIMIT_DISABLED: "", REGISTER_LIMIT_GLOBAL_PER_MINUTE: "3" });
    try {
      for (const [email, password] of [["demo@example.com", "demo-password"], ["shopper@example.com", "shopper-password"]]) {
        const reply = await signIn(new Shopper(app.url), email!, password!);
        expect(refusedAsWrongPassword(reply)).toBe(true);
        const res = await postAction(app, "/signin", "signInAction", { email: email!, password: password!, returnTo: "/cart" }, {});
        expect(res.headers.get("location")).toMatch(/error=CredentialsSignin/);
      }
      const page = await (await fetch(`${app.url}/signin`)).text();
      expect(page).not.toContain("demo-password");
      expect(page).not.toContain('data-testid="demo-hint"');
      // Registering and signing in still work for real accounts.
      const email = uniqueEmail("prod");
      expect((await new Shopper(app.url).request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
      const ok = await signIn(new Shopper(app.url), email, PASSWORD);
      expect(ok.status).toBe(302);
      expect(ok.headers.get("location")).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+\/cart$/);

      // Without TRUST_PROXY, X-Forwarded-Host / -Proto shape no link and no redirect.
      const evil = { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };
      const s = new Shopper(app.url);
      expect((await s.add("sku-mug-stoneware")).status).toBe(200);
      const link = await s.request("POST", "/api/cart/recovery-link", { headers: evil });
      expect(link.status).toBe(201);
      expect(new URL(link.body.url).origin).toBe(app.url);
      const csrf = await s.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
      const redirected = await s.request("POST", "/api/auth/callback/credentials", {
        body: new URLSearchParams({ email, password: PASSWORD, csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", ...evil },
      });
      expect(redirected.status).toBe(302);
      expect(redirected.headers.get("location")).not.toContain("evil.example");

      // Without a proxy there is no per-address count, but the global sign-up budget holds (fixed minutes).
      const into = Date.now() % 60_000;
      if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 250));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await new Shopper(app.url).request("POST", "/api/auth/register", { json: { email: uniqueEmail("global"), password: PASSWORD } })).status);
      }
      expect(statuses.filter((st) => st === 201).length).toBeLessThanOrEqual(3);
      expectLimited(await new Shopper(app.url).request("POST", "/api/auth/register", { json: { email: uniqueEmail("global"), password: PASSWORD } }));
    } finally {
      await app.stop();
    }
  });

  it("refuses to start in production with DEMO_ACCOUNTS=1", async () => {
    await expect(startApp({ DATA_DIR: dir, DEMO_ACCOUNTS: "1" })).rejects.toThrow(/DEMO_ACCOUNTS: must not be set in production/);
  });
});

describe("/api/health with a broken backend", () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "auth_health");
  });

  afterAll(async () => {
    await backend?.cleanup();
  });

  it("says which check failed, never the backend's own error text", async () => {
    // Nothing listens on port 1; the URL carries a password that must never be shown.
    // The log from the instance's start on, as a server's output would be.
    const output = captureLog();
    let app: InProcessApp | undefined;
    try {
      app = await startInProcessApp({ ...backend.env, REDIS_URL: "redis://default:hunter2-secret@127.0.0.1:1", STORE_TIMEOUT_MS: "100", LOG_LEVEL: "warn" });
      const health = await new Shopper(app.url, app.fetch).request("GET", "/api/health");
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: "degraded", checks: { postgres: { ok: true }, redis: { ok: false, error: "unreachable" } } });
      const text = JSON.stringify(health.body);
      for (const secret of ["hunter2", "ECONNREFUSED", "127.0.0.1", "connect", "timed out"]) expect(text).not.toContain(secret);
      // The log did say what failed (so it is read here), without the URL's password.
      expect(output.text()).toContain('"msg":"redis connection error"');
      expect(output.text()).not.toContain("hunter2-secret");
    } finally {
      output.stop();
      await app?.stop();
    }
  });
});
