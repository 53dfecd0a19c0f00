import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sealData, unsealData } from "iron-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_SESSION_SECRET, type AppServer } from "../support/app";
import { signIn, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { redisUrl } from "../support/services";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Recovery links on real Postgres + Redis, against the built app: opening a
 * link (GET) shows its snapshot and changes nothing, whoever sends it; the
 * page's POST restores the snapshot (never the source cart's later lines),
 * once per cart, into at most RECOVERY_LINK_MAX_REDEMPTIONS carts even when
 * confirmations race; other origins, bad links and floods change nothing.
 *
 * The demo's instance runs in this process (test/support/in-process-app.ts):
 * the API, Auth.js and the page's form (/cart/recover/confirm) through the
 * route handlers `next start` calls. The pages themselves (/cart/recover and
 * /cart/recover/failed, the demo's HTML) come from one real `next start` on
 * the same database and Redis prefix, kept for what only a server shows: the
 * rendered page and its redirect.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const CAP = "sku-cap-black";
const PASSWORD = "correct horse battery";
const MAX_REDEMPTIONS = 5;

let backend: Backend;
let app: InProcessApp;
// The pages' server: one per file, for the rendered pages only.
let pages: AppServer;
let sql: postgres.Sql;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "recovery");
  const env = { ...backend.env, CATALOG_CACHE_SECONDS: "0", RECOVERY_LINK_MAX_REDEMPTIONS: String(MAX_REDEMPTIONS) };
  // The instance migrates the database while the server boots (it waits for health, so for the migration too).
  [app, pages] = await Promise.all([startInProcessApp(env), startApp(env)]);
  sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await pages?.stop();
  await app?.stop();
  await backend?.cleanup();
});

/** A page (a GET of /cart/recover…) from the real server, anything else from the instance here: one browser, one cookie jar. */
function browserOf(local: InProcessApp): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input));
    const isPage = (init?.method ?? "GET") === "GET" && url.pathname.startsWith("/cart/recover");
    return isPage ? fetch(pages.url + url.pathname + url.search, init) : local.fetch(input, init);
  };
}

const shopper = (local = app) => new Shopper(local.url, browserOf(local));
const quantities = (cart: any) => Object.fromEntries(cart.items.map((i: any) => [i.productId, i.quantity]));

/** A link to what `source` holds now: the page's path and the token. */
async function makeLink(source: Shopper) {
  const res = await source.request("POST", "/api/cart/recovery-link");
  expect(res.status).toBe(201);
  const url = new URL(res.body.url);
  return { path: url.pathname + url.search, token: url.searchParams.get("token")!, expiresAt: res.body.expiresAt as string };
}

/** The link id inside a token, read with the test's own copy of the secret. */
async function linkIdOf(token: string): Promise<string> {
  const data = await unsealData<{ lid: string }>(token, { password: { [token.split("*")[1]!]: TEST_SESSION_SECRET }, ttl: 0 });
  return data.lid;
}

const sealed = (data: object, like: string) => sealData(data, { password: { [like.split("*")[1]!]: TEST_SESSION_SECRET }, ttl: 0 });

/** What the page's plain form sends (a browser adds its own Origin). */
function confirm(s: Shopper, token: string, headers: Record<string, string> = { origin: app.url }) {
  return s.request("POST", "/cart/recover/confirm", {
    body: new URLSearchParams({ token }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
}

const open = (s: Shopper, path: string, headers: Record<string, string> = {}) => s.request("GET", path, { headers });

function expectNoCookie(reply: Reply) {
  expect(reply.headers.getSetCookie()).toEqual([]);
}

async function redemptions(token: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from cart_recovery_redemptions where token_id = ${await linkIdOf(token)}`;
  return row!.n as number;
}

/** Session records this app holds in Redis. */
async function sessionRecords(): Promise<number> {
  const { createClient } = await import("redis");
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  let n = 0;
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${backend.env.STORE_KEY_PREFIX}sess:*`, COUNT: 500 })) n += keys.length;
  } finally {
    await redis.close();
  }
  return n;
}

describe("opening a recovery link (GET)", () => {
  it("lists the snapshot with a plain form and changes no cart, with and without Sec-Fetch-Site: cross-site", async () => {
    const source = shopper();
    await source.add(TEE, 2);
    await source.add(MUG, 1);
    const { path, token } = await makeLink(source);

    const opener = shopper();
    await opener.add(CAP, 1);
    const before = (await opener.getCart()).body;
    const cookie = opener.cookieHeader();

    const visits: Record<string, string>[] = [{}, { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" }];
    for (const headers of visits) {
      const page = await open(opener, path, headers);
      expect(page.status).toBe(200);
      expectNoCookie(page);
      const html = String(page.body);
      expect(html).toContain("3 items: Organic Tee, Black, M × 2, Stoneware Mug, Speckled × 1");
      const form = /<form[^>]*>/.exec(html)?.[0] ?? "";
      expect(form).toContain('method="post"');
      expect(form).toContain('action="/cart/recover/confirm"');
      expect(html).toMatch(/<input type="hidden" name="token" value="[^"]+"/);
      expect(html).toContain("Add to my cart");
      expect(page.headers.get("cache-control")).toMatch(/no-store/);
    }
    const after = (await opener.getCart()).body;
    expect(after.version).toBe(before.version);
    expect(quantities(after)).toEqual({ [CAP]: 1 });
    expect(opener.cookieHeader()).toBe(cookie);
    expect(await redemptions(token)).toBe(0);
  });

  it("creates no session record for a visitor without a cookie (a mail scanner)", async () => {
    const source = shopper();
    await source.add(TEE, 1);
    const { path, token } = await makeLink(source);
    const records = await sessionRecords();
    const scans: Record<string, string>[] = [{}, { "sec-fetch-site": "cross-site" }, { "user-agent": "Mozilla/5.0 (compatible; SafeLinks scanner)" }];
    for (const headers of scans) {
      const scanner = shopper();
      const page = await open(scanner, path, headers);
      expect(page.status).toBe(200);
      expectNoCookie(page);
    }
    expect(await sessionRecords()).toBe(records);
    expect(await redemptions(token)).toBe(0);
  });

  it("changes nothing for a signed-in opener: the account cart keeps its version, no cookie is set", async () => {
    const source = shopper();
    await source.add(MUG, 2);
    const { path, token } = await makeLink(source);

    const email = uniqueEmail("recover-open");
    expect((await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
    const user = shopper();
    expect((await signIn(user, email, PASSWORD)).status).toBe(302);
    await user.add(TEE, 1);
    const before = (await user.getCart()).body;
    const cookie = user.cookieHeader();

    const visits: Record<string, string>[] = [{}, { "sec-fetch-site": "cross-site" }];
    for (const headers of visits) {
      const page = await open(user, path, headers);
      expect(page.status).toBe(200);
      expectNoCookie(page);
      expect(String(page.body)).toContain("Stoneware Mug, Speckled × 2");
    }
    expect(user.cookieHeader()).toBe(cookie);
    const after = (await user.getCart()).body;
    expect(after.version).toBe(before.version);
    expect(quantities(after)).toEqual({ [TEE]: 1 });
    expect(await redemptions(token)).toBe(0);
  });
});

describe("confirming a recovery link (POST)", () => {
  it("restores the snapshot: lines added, changed or removed at the source afterwards never reach it", async () => {
    const source = shopper();
    await source.add(TEE, 2);
    await source.add(MUG, 1);
    const first = await makeLink(source);
    // The source cart changes after the link was made.
    await source.add(CAP, 3);
    await source.remove(MUG);
    await source.setQuantity(TEE, 5);

    const page = await open(shopper(), first.path);
    expect(String(page.body)).toContain("3 items: Organic Tee, Black, M × 2, Stoneware Mug, Speckled × 1");
    expect(String(page.body)).not.toContain("Six-Panel Cap");

    const opener = shopper();
    const restored = await confirm(opener, first.token);
    expect(restored.status).toBe(303);
    expect(restored.headers.get("location")).toBe(`${app.url}/cart?restored=1`);
    expect(restored.headers.getSetCookie()).toHaveLength(1);
    const cart = (await opener.getCart()).body;
    expect(quantities(cart)).toEqual({ [TEE]: 2, [MUG]: 1 });
    // At today's prices, in the snapshot's order.
    expect(cart.items.map((i: any) => i.productId)).toEqual([TEE, MUG]);
    expect(cart.items.every((i: any) => i.addedUnitPrice === i.unitPrice)).toBe(true);
    expect(quantities((await source.getCart()).body)).toEqual({ [TEE]: 5, [CAP]: 3 });

    // A new link at any time carries what the cart holds then; merged by the add rule.
    const second = await makeLink(source);
    expect((await confirm(opener, second.token)).headers.get("location")).toBe(`${app.url}/cart?restored=1`);
    expect(quantities((await opener.getCart()).body)).toEqual({ [TEE]: 7, [MUG]: 1, [CAP]: 3 });
  });

  it("redeems once per cart: confirming again into the same cart changes nothing", async () => {
    const source = shopper();
    await source.add(CAP, 2);
    const { token } = await makeLink(source);
    const opener = shopper();
    await opener.add(CAP, 1);
    expect((await confirm(opener, token)).headers.get("location")).toBe(`${app.url}/cart?restored=1`);
    const once = (await opener.getCart()).body;
    expect(quantities(once)).toEqual({ [CAP]: 3 });

    const again = await confirm(opener, token);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`${app.url}/cart?restored=again`);
    const twice = (await opener.getCart()).body;
    expect(twice.version).toBe(once.version);
    expect(quantities(twice)).toEqual({ [CAP]: 3 });
    // The source's own browser confirming its own link does not double its cart.
    const own = await confirm(source, token);
    expect(own.headers.get("location")).toBe(`${app.url}/cart?restored=again`);
    expect(quantities((await source.getCart()).body)).toEqual({ [CAP]: 2 });
    expect(await redemptions(token)).toBe(1);
  });

  it(`restores into at most ${MAX_REDEMPTIONS} distinct carts, even when ${MAX_REDEMPTIONS + 1} confirm at once`, async () => {
    const source = shopper();
    await source.add(TEE, 1);
    await source.add(MUG, 2);
    const { token } = await makeLink(source);

    const jars = Array.from({ length: MAX_REDEMPTIONS + 1 }, () => shopper());
    const answers = await Promise.all(jars.map((jar) => confirm(jar, token)));
    const locations = answers.map((a) => a.headers.get("location"));
    expect(answers.every((a) => a.status === 303)).toBe(true);
    expect(locations.filter((l) => l === `${app.url}/cart?restored=1`)).toHaveLength(MAX_REDEMPTIONS);
    expect(locations.filter((l) => l === `${app.url}/cart/recover/failed?reason=used_up`)).toHaveLength(1);

    const refused = jars[locations.indexOf(`${app.url}/cart/recover/failed?reason=used_up`)]!;
    expect(refused.cookies.size).toBe(0);
    const refusedCart = (await refused.getCart()).body;
    expect(refusedCart.items).toEqual([]);
    expect(refusedCart.version).toBe(0);
    for (const jar of jars.filter((j) => j !== refused)) expect(quantities((await jar.getCart()).body)).toEqual({ [TEE]: 1, [MUG]: 2 });
    expect(await redemptions(token)).toBe(MAX_REDEMPTIONS);

    // A seventh cart, one at a time, meets the same clear page.
    const late = shopper();
    const answer = await confirm(late, token);
    expect(answer.headers.get("location")).toBe(`${app.url}/cart/recover/failed?reason=used_up`);
    expect((await late.getCart()).body.items).toEqual([]);
    const page = await open(late, "/cart/recover/failed?reason=used_up");
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain("This link has been used too many times");
  });

  it("refuses a POST from another origin or a cross-site one: 403, nothing changes", async () => {
    const source = shopper();
    await source.add(TEE, 2);
    const { token } = await makeLink(source);
    const victim = shopper();
    await victim.add(CAP, 1);
    const before = (await victim.getCart()).body;

    const refusals: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
    ];
    for (const headers of refusals) {
      const res = await confirm(victim, token, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body).toEqual({ error: { code: "FORBIDDEN_ORIGIN", message: expect.any(String) } });
      expectNoCookie(res);
    }
    const fresh = shopper();
    const res = await confirm(fresh, token, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(fresh.cookies.size).toBe(0);

    const after = (await victim.getCart()).body;
    expect(after.version).toBe(before.version);
    expect(quantities(after)).toEqual({ [CAP]: 1 });
    expect(await redemptions(token)).toBe(0);
  });

  it("answers a body that is not the form with a clear 4xx in the contract's shape", async () => {
    const json = await shopper().request("POST", "/cart/recover/confirm", { json: { token: "x" }, headers: { origin: app.url } });
    expect(json.status).toBe(415);
    expect(json.body).toEqual({ error: { code: "UNSUPPORTED_MEDIA_TYPE", message: expect.any(String) } });
    const big = await shopper().request("POST", "/cart/recover/confirm", {
      body: `token=${"a".repeat(10_000)}`,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url },
    });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
    const none = await confirm(shopper(), "");
    expect(none.headers.get("location")).toBe(`${app.url}/cart/recover/failed?reason=invalid`);
  });
});

describe("products no longer sold", () => {
  it("are shown as not added and skipped by the restore; a link of only such products adds nothing", async () => {
    const source = shopper();
    await source.add(CAP, 1);
    const onlyCap = await makeLink(source);
    await source.add(MUG, 2);
    const both = await makeLink(source);
    await sql`update cart_products set active = false where id = ${CAP}`;
    try {
      const page = String((await open(shopper(), both.path)).body);
      expect(page).toContain("2 items: Stoneware Mug, Speckled × 2");
      expect(page).toMatch(/data-product-id="sku-cap-black" data-available="false">.*no longer available, not added/);
      const opener = shopper();
      expect((await confirm(opener, both.token)).headers.get("location")).toBe(`${app.url}/cart?restored=1`);
      expect(quantities((await opener.getCart()).body)).toEqual({ [MUG]: 2 });

      const nothing = String((await open(shopper(), onlyCap.path)).body);
      expect(nothing).toContain("Nothing here can be added");
      expect(nothing).not.toContain("Add to my cart");
      const other = shopper();
      expect((await confirm(other, onlyCap.token)).headers.get("location")).toBe(`${app.url}/cart?restored=none`);
      expect((await other.getCart()).body.items).toEqual([]);
      expect(await redemptions(onlyCap.token)).toBe(0);
    } finally {
      await sql`update cart_products set active = true where id = ${CAP}`;
    }
  });
});

describe("links that restore nothing", () => {
  it("sends tampered, truncated, unknown, old-format and expired links to the clear page, GET and POST alike", async () => {
    const source = shopper();
    await source.add(TEE, 1);
    const { token } = await makeLink(source);
    const linkId = await linkIdOf(token);
    const at = Math.floor(token.length / 2);
    const cartId = (await source.getCart()).body.id;

    const cases: [string, string][] = [
      ["invalid", token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1)],
      ["invalid", token.slice(0, -12)],
      ["invalid", token.slice(0, 40)],
      ["invalid", await sealed({ kind: "recovery-link", lid: randomBytes(16).toString("base64url"), exp: Date.now() + 3_600_000 }, token)],
      // The previous format named a live cart: it reaches nothing now.
      ["invalid", await sealed({ kind: "recovery", jti: "old-format-token", cid: cartId, exp: Date.now() + 3_600_000 }, token)],
      ["expired", await sealed({ kind: "recovery-link", lid: linkId, exp: Date.now() - 1000 }, token)],
    ];
    const opener = shopper();
    for (const [reason, bad] of cases) {
      const page = await open(opener, `/cart/recover?token=${encodeURIComponent(bad)}`);
      expect(page.status).toBe(307);
      expect(page.headers.get("location")).toBe(`/cart/recover/failed?reason=${reason}`);
      expectNoCookie(page);
      const posted = await confirm(opener, bad);
      expect(posted.status).toBe(303);
      expect(posted.headers.get("location")).toBe(`${app.url}/cart/recover/failed?reason=${reason}`);
      expectNoCookie(posted);
    }
    expect(opener.cookies.size).toBe(0);

    // The row's own expiry is what counts, even while the token's is still ahead.
    await sql`update cart_recovery_links set expires_at = now() - interval '1 second' where id = ${linkId}`;
    const page = await open(opener, `/cart/recover?token=${encodeURIComponent(token)}`);
    expect(page.headers.get("location")).toBe("/cart/recover/failed?reason=expired");
    const posted = await confirm(opener, token);
    expect(posted.headers.get("location")).toBe(`${app.url}/cart/recover/failed?reason=expired`);
    expect((await opener.getCart()).body.items).toEqual([]);
    expect(await redemptions(token)).toBe(0);

    const failed = await open(opener, "/cart/recover/failed?reason=expired");
    expect(failed.status).toBe(200);
    expect(String(failed.body)).toContain("This cart link has expired");
  });

  it("leaves an empty cart without a link: 409 CART_EMPTY", async () => {
    const res = await shopper().request("POST", "/api/cart/recovery-link");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("CART_EMPTY");
  });
});

describe("on the embedded default (PGlite + in-process store)", () => {
  it("makes, shows and restores a link: the migration and the row lock work there too", async () => {
    const embedded = await prepareBackend("pglite+memory", "recovery-embedded");
    // PGlite is one process's: the page is what the demo's page reads (cart.recovery.open), here.
    const local = await startInProcessApp(embedded.env);
    try {
      const source = new Shopper(local.url, local.fetch);
      await source.add(TEE, 3);
      const res = await source.request("POST", "/api/cart/recovery-link");
      expect(res.status).toBe(201);
      const url = new URL(res.body.url);
      const opener = new Shopper(local.url, local.fetch);
      const page = await local.cart.recovery.open(url.searchParams.get("token"), { cookie: undefined, headers: new Headers({ host: new URL(local.url).host }) });
      expect(page.ok).toBe(true);
      expect(opener.cookies.size).toBe(0);
      expect(page.ok && page.preview).toMatchObject({ itemCount: 3, lines: [{ productId: TEE, name: "Organic Tee, Black, M", quantity: 3, available: true }] });
      const token = url.searchParams.get("token")!;
      const answers = await Promise.all([opener, new Shopper(local.url, local.fetch)].map((s) =>
        s.request("POST", "/cart/recover/confirm", {
          body: new URLSearchParams({ token }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded", origin: local.url },
        }),
      ));
      expect(answers.map((a) => a.headers.get("location"))).toEqual([`${local.url}/cart?restored=1`, `${local.url}/cart?restored=1`]);
      expect(quantities((await opener.getCart()).body)).toEqual({ [TEE]: 3 });
    } finally {
      await local.stop();
      await embedded.cleanup();
    }
  });
});

describe("rate limits on recovery links", () => {
  const WRITES = 4;
  const OPENS = 3;
  let limited: InProcessApp;
  let limitedBackend: Backend;
  // The limits count per fixed minute of the instance's clock: each test starts in a fresh one.
  const clock = new TestClock();

  beforeAll(async () => {
    limitedBackend = await prepareBackend("postgres+redis", "recovery-limits");
    limited = await startInProcessApp(
      {
        ...limitedBackend.env,
        RATE_LIMIT_DISABLED: "",
        RATE_LIMIT_WRITES_PER_MINUTE: String(WRITES),
        RECOVERY_RATE_LIMIT_PER_MINUTE: String(OPENS),
      },
      { now: clock.now },
    );
  });

  afterAll(async () => {
    await limited?.stop();
    await limitedBackend?.cleanup();
  });

  const freshWindow = () => clock.freshWindow();

  /** Opening the link as the demo's page does (app/cart/recover/page.tsx): cart.recovery.open, and on a refusal its redirect (307). */
  async function openPage(s: Shopper, path: string): Promise<{ status: number; location: string | null; setCookie: boolean }> {
    const token = new URL(path, limited.url).searchParams.get("token");
    const opened = await limited.cart.recovery.open(token, { cookie: s.cookies.get(limited.cart.recovery.cookieName()), headers: new Headers({ host: new URL(limited.url).host }) });
    // The page sets no cookie, whatever it finds.
    return opened.ok ? { status: 200, location: null, setCookie: false } : { status: 307, location: limited.cart.recovery.failedPath(opened.reason), setCookie: false };
  }

  it("counts making a link as a cart write (429 RATE_LIMITED with Retry-After)", async () => {
    freshWindow();
    const s = shopper(limited);
    // A visitor without a cookie has no session to count yet: this read gives it one.
    expect((await s.getCart()).status).toBe(200);
    expect((await s.add(TEE)).status).toBe(200);
    for (let i = 1; i < WRITES; i += 1) expect((await s.request("POST", "/api/cart/recovery-link")).status).toBe(201);
    const over = await s.request("POST", "/api/cart/recovery-link");
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.any(String), details: { retryAfterSeconds: Number(over.headers.get("retry-after")) } } });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("judges a link's expiry on the instance's clock, also in the restore (RECOVERY_LINK_HOURS, 72 by default)", async () => {
    // Four days behind wall time: a link made now expires a day before wall time's now.
    clock.set(Date.now() - 4 * 86_400_000);
    try {
      freshWindow();
      const source = shopper(limited);
      await source.add(MUG, 2);
      const made = await source.request("POST", "/api/cart/recovery-link");
      expect(made.status).toBe(201);
      expect(Date.parse(made.body.expiresAt)).toBeLessThan(Date.now());
      const token = new URL(made.body.url).searchParams.get("token")!;
      const confirmInto = (s: Shopper) => confirm(s, token, { origin: limited.url });
      const restorer = shopper(limited);
      expect((await confirmInto(restorer)).headers.get("location")).toBe(`${limited.url}/cart?restored=1`);
      expect(quantities((await restorer.getCart()).body)).toEqual({ [MUG]: 2 });
      // Past its hours on the instance's clock: expired, and nothing is restored.
      clock.advance(73 * 3_600_000);
      freshWindow();
      const late = shopper(limited);
      expect((await confirmInto(late)).headers.get("location")).toBe(`${limited.url}/cart/recover/failed?reason=expired`);
      expect((await late.getCart()).body.items).toEqual([]);
    } finally {
      clock.run(Date.now());
    }
  });

  it("limits opening and confirming one link, whatever cookie jar sends it, with a plain-words page", async () => {
    freshWindow();
    const source = shopper(limited);
    await source.add(MUG, 1);
    const res = await source.request("POST", "/api/cart/recovery-link");
    expect(res.status).toBe(201);
    const url = new URL(res.body.url);
    const path = url.pathname + url.search;
    for (let i = 0; i < OPENS - 1; i += 1) expect((await openPage(shopper(limited), path)).status).toBe(200);
    const confirmer = shopper(limited);
    const first = await confirmer.request("POST", "/cart/recover/confirm", {
      body: new URLSearchParams({ token: url.searchParams.get("token")! }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: limited.url },
    });
    expect(first.headers.get("location")).toBe(`${limited.url}/cart?restored=1`);

    const scanner = shopper(limited);
    const over = await openPage(scanner, path);
    expect(over.status).toBe(307);
    expect(over.location).toBe("/cart/recover/failed?reason=busy");
    expect(over.setCookie).toBe(false);
    expect(scanner.cookies.size).toBe(0);
    const another = shopper(limited);
    const refused = await another.request("POST", "/cart/recover/confirm", {
      body: new URLSearchParams({ token: url.searchParams.get("token")! }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: limited.url },
    });
    expect(refused.headers.get("location")).toBe(`${limited.url}/cart/recover/failed?reason=busy`);
    expect((await another.getCart()).body.items).toEqual([]);
    const page = await open(another, "/cart/recover/failed?reason=busy");
    expect(String(page.body)).toContain("Please wait a minute and try again.");
  });
});
