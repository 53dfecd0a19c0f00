import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readNodeRequests } from "@/lib/http/node-requests";
import { lowerCaseEmails, VERIFIED_MARK } from "@/lib/identity/provider-emails";
import type { OAuthConfig } from "next-auth/providers";
import type { GitHubProfile } from "next-auth/providers/github";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { accounts, users, verificationTokens } from "@/db/schema";
import { prepareBackend, type Backend } from "../support/backends";
import { signIn, uniqueEmail } from "../support/auth";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper, type Reply } from "../support/shopper";

/**
 * The application findings of the security review (issue 18), each with the test that fails
 * before its fix: budgets on anonymous work (cart rows and recovery links), the failed-sign-in
 * budget (unknown accounts take no hash slot once it is near, known accounts first), admins
 * by verified identity, common passwords refused at sign-up, security headers on every API
 * answer, one rule for forwarded headers and PUBLIC_ORIGIN, request ids adopted only from a
 * trusted proxy, and /api/health shared for a second. Each instance runs in this process on
 * Postgres + Redis (test/support/in-process-app.ts); limits count in the instance clock's minutes.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const PASSWORD = "correct horse battery";

const clock = new TestClock();

function expectLimited(reply: Reply<any>) {
  expect(reply.status).toBe(429);
  expect(reply.body.error.code).toBe("RATE_LIMITED");
  expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

// A shopper at one client address behind the trusted proxy (TRUST_PROXY=1: the right-most entry).
class ShopperAt extends Shopper {
  constructor(
    app: InProcessApp,
    readonly address: string,
  ) {
    super(app.url, app.fetch);
  }

  override request<T = any>(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
    return super.request<T>(method, path, { ...options, headers: { "x-forwarded-for": `198.51.100.77, ${this.address}`, ...options.headers } });
  }
}

describe("review findings (Postgres + Redis)", () => {
  let backend: Backend;
  let sql: postgres.Sql;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "review");
    sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql.end();
    await backend.cleanup();
  });

  const guestCarts = async () => Number((await sql`select count(*)::int as n from cart_carts where user_id is null`)[0]!.n);

  describe("budgets for anonymous work", () => {
    let app: InProcessApp;
    // The same budgets with no trusted proxy: X-Forwarded-For is then the client's word and no address is counted.
    let direct: InProcessApp;

    beforeAll(async () => {
      const budgets = { ...backend.env, RATE_LIMIT_DISABLED: "", STORE_TIMEOUT_MS: "2000", CREATE_LIMIT_PER_ADDRESS_PER_MINUTE: "3", CREATE_LIMIT_PER_INSTANCE_PER_MINUTE: "5" };
      [app, direct] = await Promise.all([
        startInProcessApp({ ...budgets, TRUST_PROXY: "1", RECOVERY_LINKS_PER_CART: "2" }, { now: clock.now }),
        startInProcessApp(budgets, { now: clock.now }),
      ]);
      await app.fetch(`${app.url}/api/health`);
    });

    afterAll(() => Promise.all([app.stop(), direct.stop()]));

    it("counts cookie-less adds (each a new cart row) per client address and in all on the instance, and lets existing carts change", async () => {
      clock.freshWindow();
      const before = await guestCarts();
      const fromA = [];
      for (let i = 0; i < 4; i += 1) fromA.push(await new ShopperAt(app, "203.0.113.10").add(TEE));
      expect(fromA.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
      expectLimited(fromA[3]!);
      // Another address has its own budget, but the instance's (5) is shared by everyone.
      const b = [await new ShopperAt(app, "203.0.113.11").add(TEE), await new ShopperAt(app, "203.0.113.11").add(MUG)];
      expect(b.map((r) => r.status)).toEqual([200, 200]);
      expectLimited(await new ShopperAt(app, "203.0.113.12").add(TEE));
      // Exactly the admitted adds made rows.
      expect((await guestCarts()) - before).toBe(5);

      // A shopper whose cart exists spends nothing of it.
      const regular = new ShopperAt(app, "203.0.113.10");
      clock.freshWindow();
      expect((await regular.add(TEE)).status).toBe(200);
      clock.freshWindow();
      for (let i = 0; i < 6; i += 1) expect((await regular.add(MUG)).status).toBe(200);
    });

    it("without TRUST_PROXY still stops a cookie-less loop at the instance's budget, whatever X-Forwarded-For says", async () => {
      clock.freshWindow();
      const before = await guestCarts();
      const statuses = [];
      // A new address each time: it would pass any per-address count, so only the instance's budget can stop it.
      for (let i = 0; i < 8; i += 1) {
        const reply = await new ShopperAt(direct, `203.0.113.${30 + i}`).add(TEE);
        if (reply.status !== 200) expectLimited(reply);
        statuses.push(reply.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      // Only the admitted adds made rows.
      expect((await guestCarts()) - before).toBe(5);
    });

    it("counts recovery links too, reuses the link for unchanged lines and keeps at most RECOVERY_LINKS_PER_CART live", async () => {
      clock.freshWindow();
      const s = new ShopperAt(app, "203.0.113.20");
      expect((await s.add(TEE)).status).toBe(200);
      const first = await s.request("POST", "/api/cart/recovery-link");
      const again = await s.request("POST", "/api/cart/recovery-link");
      expect([first.status, again.status]).toEqual([201, 201]);
      const cartId = (await s.getCart()).body.id as string;
      const links = async () => (await sql`select id from cart_recovery_links where source_cart_id = ${cartId}`).map((r) => r.id as string);
      // The same lines: the same link (one row), not another snapshot.
      expect(await links()).toHaveLength(1);
      expect(again.body.expiresAt).toBe(first.body.expiresAt);

      // New lines each time: new links, but only the newest two stay live.
      expect((await s.add(MUG)).status).toBe(200);
      expect((await s.request("POST", "/api/cart/recovery-link")).status).toBe(201);
      expect((await s.setQuantity(MUG, 2)).status).toBe(200);
      const newest = await s.request("POST", "/api/cart/recovery-link");
      expect(newest.status).toBe(201);
      expect(await links()).toHaveLength(2);
      // The first link ended; the newest opens.
      const opened = await app.cart.recovery.open(new URL(newest.body.url).searchParams.get("token"), { cookie: undefined, headers: new Headers() });
      expect(JSON.stringify(opened)).toContain(MUG);

      // The address's budget (3) counts links: the third new one from this address is refused, and makes no row.
      expect((await s.setQuantity(MUG, 3)).status).toBe(200);
      expectLimited(await s.request("POST", "/api/cart/recovery-link"));
      expect(await links()).toHaveLength(2);
    });
  });

  describe("the failed-sign-in budget", () => {
    let app: InProcessApp;
    const known = uniqueEmail("known");

    beforeAll(async () => {
      app = await startInProcessApp(
        {
          ...backend.env,
          RATE_LIMIT_DISABLED: "",
          SIGNIN_FAILURES_GLOBAL_PER_MINUTE: "4",
          SIGNIN_LIMIT_PER_ACCOUNT: "50",
          PASSWORD_HASH_CONCURRENCY: "1",
          PASSWORD_HASH_QUEUE: "0",
        },
        { now: clock.now },
      );
      expect((await new Shopper(app.url, app.fetch).request("POST", "/api/auth/register", { json: { email: known, password: PASSWORD } })).status).toBe(201);
    });

    afterAll(() => app.stop());

    const refusedAsWrongPassword = (reply: Reply) => reply.status === 302 && /error=CredentialsSignin/.test(reply.headers.get("location") ?? "");
    const storm = (n: number) => Promise.all(Array.from({ length: n }, () => signIn(new Shopper(app.url, app.fetch), uniqueEmail("nobody"), "wrong password 1")));

    it("lets unknown accounts take hash slots while failures are few, then refuses them without one: a storm of made-up emails never crowds out a real sign-in", async () => {
      clock.freshWindow();
      clock.freeze();
      // Below half the budget an unknown email costs a verification like a wrong password: with one
      // slot and no queue, a concurrent storm of them is mostly turned away as busy.
      const early = await storm(8);
      expect(early.filter((r) => r.status === 503).length).toBeGreaterThan(0);
      // Two failures that cost a hash: half of the budget (4).
      for (let i = 0; i < 2; i += 1) expect(refusedAsWrongPassword(await signIn(new Shopper(app.url, app.fetch), known, "wrong password 2"))).toBe(true);

      // Near the budget: unknown emails take no slot. The same storm, with a real sign-in inside it:
      // every made-up email is refused exactly as a wrong password (never 503), and the account signs in.
      const shopper = new Shopper(app.url, app.fetch);
      const [real, ...late] = await Promise.all([signIn(shopper, known, PASSWORD), ...Array.from({ length: 12 }, () => signIn(new Shopper(app.url, app.fetch), uniqueEmail("nobody"), "wrong password 3"))]);
      expect(late.every(refusedAsWrongPassword)).toBe(true);
      expect(real!.status).toBe(302);
      expect(real!.headers.get("location")).not.toMatch(/error=/);
      expect((await shopper.request("GET", "/api/session")).body.user.email).toBe(known);

      // A new minute: the budget is whole again and unknown emails cost a verification as before.
      clock.freshWindow();
      clock.freeze();
      expect((await storm(8)).filter((r) => r.status === 503).length).toBeGreaterThan(0);
      clock.run();
    });
  });

  describe("the sign-up budget", () => {
    let app: InProcessApp;
    const PER_ADDRESS = 2;
    const GLOBAL = 4;

    beforeAll(async () => {
      const limits = { RATE_LIMIT_DISABLED: "", TRUST_PROXY: "1", STORE_TIMEOUT_MS: "2000", REGISTER_LIMIT_PER_ADDRESS: String(PER_ADDRESS), REGISTER_LIMIT_GLOBAL_PER_MINUTE: String(GLOBAL) };
      app = await startInProcessApp({ ...backend.env, ...limits }, { now: clock.now });
    });

    afterAll(() => app.stop());

    const register = (address: string) => new ShopperAt(app, address).request("POST", "/api/auth/register", { json: { email: uniqueEmail("budget"), password: PASSWORD } });

    it("refuses an address past its own sign-up budget without spending any of the global one", async () => {
      // One fixed minute: the global budget is counted per minute of the instance's clock.
      clock.freshWindow();
      clock.freeze();
      try {
        for (let i = 0; i < PER_ADDRESS; i += 1) expect((await register("203.0.113.40")).status).toBe(201);
        // Past its own budget, more tries than the whole global budget: each refused by the address's lock.
        for (let i = 0; i < GLOBAL + 2; i += 1) expectLimited(await register("203.0.113.40"));
        // The global budget has exactly its two sign-ups spent: two more addresses sign up, and then it is spent.
        expect((await register("203.0.113.41")).status).toBe(201);
        expect((await register("203.0.113.42")).status).toBe(201);
        expectLimited(await register("203.0.113.43"));
      } finally {
        clock.run();
      }
    });
  });

  describe("accounts", () => {
    let app: InProcessApp;

    beforeAll(async () => {
      app = await startInProcessApp({ ...backend.env, ADMIN_EMAILS: "Boss@Example.com", ADMIN_USER_IDS: "id-of-an-ops-user", AUTH_GITHUB_ID: "gh-client", AUTH_GITHUB_SECRET: "gh-secret" });
    });

    afterAll(() => app.stop());

    it("makes no admin of an unverified email, nor a second user of a differently-cased one; a verified email or a listed id is admin", async () => {
      // Whoever signs up first with the admin's address is not the admin: nobody verified it.
      const s = new Shopper(app.url, app.fetch);
      const created = await s.request("POST", "/api/auth/register", { json: { email: "BOSS@example.COM", password: PASSWORD } });
      expect(created.status).toBe(201);
      expect(created.body.user.email).toBe("boss@example.com");
      const id = created.body.user.id as string;
      expect(await app.cart.admin.isAdmin(id)).toBe(false);
      expect((await signIn(s, "boss@example.com", PASSWORD)).status).toBe(302);
      expect((await s.request("GET", "/api/admin/stats")).status).toBe(404);

      // A differently-cased address is never a second user: not through sign-up, not through the database.
      expect((await new Shopper(app.url, app.fetch).request("POST", "/api/auth/register", { json: { email: "Boss@Example.com", password: PASSWORD } })).body.error.code).toBe(
        "EMAIL_TAKEN",
      );
      await expect(sql`insert into cart_users (id, email) values ('x-dup', 'Boss@EXAMPLE.com')`).rejects.toMatchObject({ code: "23505" });
      // A provider's sign-in (Auth.js's adapter) writes and finds the address lower-cased.
      const adapter = lowerCaseEmails(DrizzleAdapter(await app.cart.runtime.db(), { usersTable: users, accountsTable: accounts, verificationTokensTable: verificationTokens }));
      expect((await adapter.getUserByEmail!("BOSS@Example.Com"))?.id).toBe(id);
      const unverified = await adapter.createUser!({ id: "gh-unverified", email: "Someone@Example.com", emailVerified: null, [VERIFIED_MARK]: false } as never);
      expect(unverified.email).toBe("someone@example.com");
      expect(unverified.emailVerified).toBeNull();
      const verified = await adapter.createUser!({ id: "gh-verified", email: "Verified@Example.com", emailVerified: null, [VERIFIED_MARK]: true } as never);
      expect(verified.email).toBe("verified@example.com");
      expect(verified.emailVerified).toBeInstanceOf(Date);

      // Once a provider verified the address (a GitHub account's verified email), it is the admin's.
      await sql`update cart_users set email_verified = now() where id = ${id}`;
      expect(await app.cart.admin.isAdmin(id)).toBe(true);
      expect((await s.request("GET", "/api/admin/stats")).status).toBe(200);
      // By id, whatever the email.
      expect(await app.cart.admin.isAdmin("id-of-an-ops-user")).toBe(true);
      expect(await app.cart.admin.isAdmin("gh-unverified")).toBe(false);
    });

    it("refuses a GitHub sign-in whose email GitHub did not verify, and accepts a verified one (Auth.js's provider and callback as the app builds them)", async () => {
      // Imported here: next-auth needs the Next.js runtime that test/support/in-process-app.ts sets up first.
      const { buildConfig } = await import("@/lib/identity/config");
      const config = await app.cart.runtime.run(() => buildConfig());
      const github = config.providers.find((p): p is OAuthConfig<GitHubProfile> => typeof p !== "function" && p.id === "github");
      // Auth.js lays a provider's options over its defaults: the profile it calls is the app's.
      const profile = github!.options!.profile!;
      const signIn = config.callbacks!.signIn!;
      // GitHub's GET /user/emails, the one outside call the app's profile makes.
      let emails: Response = Response.json([]);
      const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
        if (String(input) !== "https://api.github.com/user/emails") throw new Error(`unexpected fetch ${String(input)}`);
        return emails;
      });
      const gitHubUser = { id: 4242, login: "octo", name: null, email: "Boss@Example.com", avatar_url: "https://avatars.example/4242" } as unknown as GitHubProfile;
      const tokens = { access_token: "gho_token", token_type: "bearer" as const };
      const decide = async (answer: Response) => {
        emails = answer;
        const user = await profile(gitHubUser, tokens);
        return { email: user.email, allowed: await signIn({ user, account: { provider: "github", type: "oauth", providerAccountId: "4242" } }) };
      };
      try {
        // The admin's address as the profile's primary email, unverified: no account's email, and the sign-in refused.
        expect(await decide(Response.json([{ email: "Boss@Example.com", primary: true, verified: false }]))).toEqual({ email: null, allowed: false });
        // GitHub's list unreadable: nothing verified, refused.
        expect(await decide(new Response("no", { status: 502 }))).toEqual({ email: null, allowed: false });
        expect(await decide(Response.json([{ email: "Boss@Example.com", primary: true, verified: true }]))).toEqual({ email: "boss@example.com", allowed: true });
      } finally {
        fetchSpy.mockRestore();
      }
      // A sign-in without a provider's word on the email (the credentials form) is not this callback's to refuse.
      expect(await signIn({ user: { id: "u-1", email: "someone@example.com" }, account: null })).toBe(true);
    });

    it("refuses the most common passwords at sign-up, before any hash", async () => {
      const s = new Shopper(app.url, app.fetch);
      for (const password of ["password123", "iloveyou", "Sunshine1", "qwertyuiop"]) {
        const reply = await s.request("POST", "/api/auth/register", { json: { email: uniqueEmail("common"), password } });
        expect(reply.status).toBe(422);
        expect(reply.body.error.code).toBe("VALIDATION_ERROR");
      }
      expect((await s.request("POST", "/api/auth/register", { json: { email: uniqueEmail("rare"), password: PASSWORD } })).status).toBe(201);
    });
  });

  describe("headers", () => {
    let app: InProcessApp;
    let behindProxy: InProcessApp;

    beforeAll(async () => {
      [app, behindProxy] = await Promise.all([
        startInProcessApp({ ...backend.env, PUBLIC_ORIGIN: "https://shop.example" }),
        startInProcessApp({ ...backend.env, TRUST_PROXY: "1" }),
      ]);
    });

    afterAll(() => Promise.all([app.stop(), behindProxy.stop()]));

    it("puts nosniff, DENY framing, the referrer policy and a CSP on every API answer, and HSTS on those that went out over HTTPS", async () => {
      const s = new Shopper(behindProxy.url, behindProxy.fetch);
      const answers = [
        await s.getCart(),
        await s.add(TEE),
        await s.request("GET", "/api/health"),
        await s.request("GET", "/api/no-such-route"),
        await s.request("PUT", "/api/cart"),
        await s.add("no-such-product"),
        await s.request("GET", "/api/auth/csrf"),
      ];
      for (const reply of answers) {
        expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
        expect(reply.headers.get("x-frame-options")).toBe("DENY");
        expect(reply.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
        expect(reply.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
        // Plain HTTP: no HSTS (browsers ignore it there, and it would lie about the transport).
        expect(reply.headers.get("strict-transport-security")).toBeNull();
      }
      const overTls = await s.request("GET", "/api/cart", { headers: { "x-forwarded-proto": "https" } });
      expect(overTls.headers.get("strict-transport-security")).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    });

    it("reads forwarded host and protocol from the trusted hop (right-most), as the address is", async () => {
      const s = new Shopper(behindProxy.url, behindProxy.fetch);
      expect((await s.add(TEE)).status).toBe(200);
      const link = await s.request("POST", "/api/cart/recovery-link", {
        headers: { "x-forwarded-host": "evil.example, shop.example", "x-forwarded-proto": "http, https" },
      });
      expect(link.status).toBe(201);
      expect(new URL(link.body.url).origin).toBe("https://shop.example");
      // The origin check follows the same rule: the client's left-most entry does not make evil.example ours.
      const forged = await s.add(MUG, 1, { origin: "https://evil.example", "x-forwarded-host": "evil.example, shop.example", "x-forwarded-proto": "https, https" });
      expect(forged.status).toBe(403);
    });

    it("with PUBLIC_ORIGIN, links and the origin check use it and no request header", async () => {
      const s = new Shopper(app.url, app.fetch);
      expect((await s.add(TEE, 1, { origin: "https://shop.example" })).status).toBe(200);
      const link = await s.request("POST", "/api/cart/recovery-link", { headers: { host: "evil.example", "x-forwarded-host": "evil.example" } });
      expect(new URL(link.body.url).origin).toBe("https://shop.example");
      // The Host the request named is not the shop's origin.
      expect((await s.add(MUG, 1, { origin: app.url })).status).toBe(403);
    });

    it("adopts a client's X-Request-Id only from a trusted proxy, even in a process whose server assigns ids", async () => {
      // As cart.start() does under next start: ids assigned as requests come in (lib/http/node-requests.ts).
      readNodeRequests("", false);
      const direct = await new Shopper(app.url, app.fetch).request("GET", "/api/cart", { headers: { "x-request-id": "chosen-by-the-client" } });
      expect(direct.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const proxied = await new Shopper(behindProxy.url, behindProxy.fetch).request("GET", "/api/cart", { headers: { "x-request-id": "set-by-the-proxy" } });
      expect(proxied.headers.get("x-request-id")).toBe("set-by-the-proxy");
    });
  });

  describe("/api/health", () => {
    let redis: RedisProcess;
    let app: InProcessApp;

    beforeAll(async () => {
      redis = await startRedisProcess();
      app = await startInProcessApp({ ...backend.env, REDIS_URL: redis.url });
      await app.fetch(`${app.url}/api/health`);
    });

    afterAll(async () => {
      await app.stop();
      await redis.kill();
    });

    it("answers a burst of probes from one check shared for a second: one Redis round trip, not one per probe", async () => {
      const pings = async () => {
        const info = await postgresFreeRedisInfo(redis.url);
        return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
      };
      await new Promise((r) => setTimeout(r, 1100));
      const before = await pings();
      const replies = await Promise.all(Array.from({ length: 30 }, () => new Shopper(app.url, app.fetch).request("GET", "/api/health")));
      expect(replies.every((r) => r.status === 200 && r.body.status === "ok")).toBe(true);
      expect((await pings()) - before).toBe(1);
    });
  });
});

// INFO commandstats of a Redis server of this test's own (no other client pings it).
async function postgresFreeRedisInfo(url: string): Promise<string> {
  const { createClient } = await import("redis");
  const client = createClient({ url });
  await client.connect();
  try {
    return await client.info("commandstats");
  } finally {
    await client.quit();
  }
}
