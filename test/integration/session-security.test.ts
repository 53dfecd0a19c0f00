import { readFileSync } from "node:fs";
import path from "node:path";
import { sealData, unsealData } from "iron-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_SESSION_SECRET, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { RawClient } from "../support/raw-http";
import { Shopper } from "../support/shopper";

/**
 * The session cookie as an attacker and an operator see it: forged,
 * tampered, truncated, expired and foreign cookies reach nothing; secret
 * rotation keeps sessions; the cookie has the contract's attributes; ids
 * never travel in URLs; x-middleware-subrequest changes nothing.
 *
 * The cookie's handling is the module's and runs in this process
 * (test/support/in-process-app.ts); one real `next start` stays for what only
 * it shows: its rendered pages and form-post redirects (no id in a URL) and
 * Next.js's own handling of x-middleware-subrequest.
 */
const COOKIE = "__Host-cart_session";
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const OLD_SECRET = "rotation-old-secret-0123456789-abcdefghijkl";
const NEW_SECRET = "rotation-new-secret-9876543210-zyxwvutsrqpo";

const EMPTY_CART = { id: null, version: 0, currency: "USD", items: [], note: null, itemCount: 0, subtotal: 0, updatedAt: null, notices: [] };

interface SessionCookie {
  v: number;
  sid: string;
  cid: string | null;
  uid: string | null;
  sa: number;
}

/** The password map iron-session needs for a cookie of ours: its own password id, whatever the id scheme. */
function ours(sealed: string, secret = TEST_SESSION_SECRET): Record<string, string> {
  return { [sealed.split("*")[1]!]: secret };
}

function setCookieOf(headers: Headers): string | undefined {
  return headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
}

describe("session cookies under attack (Postgres + Redis)", () => {
  let backend: Backend;
  let app: InProcessApp;
  // The real server, on the same database and Redis prefix: pages, form posts and Next.js's own headers.
  let server: AppServer;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "session_security");
    [app, server] = await Promise.all([startInProcessApp(backend.env), startApp(backend.env)]);
  });

  afterAll(async () => {
    await server?.stop();
    await app?.stop();
    await backend?.cleanup();
  });

  it("gives tampered, truncated, foreign, expired and misshapen cookies a fresh empty guest cart, never an error or another's cart", async () => {
    const victim = new Shopper(app.url, app.fetch);
    expect((await victim.add(TEE, 3)).status).toBe(200);
    const victimCart = (await victim.getCart()).body;
    const value = victim.cookies.get(COOKIE)!;
    const data = (await unsealData<SessionCookie>(value, { password: ours(value) })) as SessionCookie;
    expect(data).toMatchObject({ v: 1, sid: expect.any(String), cid: victimCart.id, uid: null });

    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const forged: Record<string, string> = {
      "tampered in the data": flip(value, Math.floor(value.length / 2)),
      "tampered in the mac": flip(value, value.length - 5),
      "tampered expiry": value.replace(/\*(\d{13})\*/, (_, exp: string) => `*${Number(exp) + 86_400_000}*`),
      "truncated by half": value.slice(0, Math.floor(value.length / 2)),
      "truncated by one": value.slice(0, -1),
      "version suffix dropped": value.replace(/~2$/, ""),
      "another password id": value.replace(/^Fe26\.2\*\w+\*/, "Fe26.2*424242*"),
      "sealed with another secret, same id": await sealData(data, { password: ours(value, "someone-elses-secret-0123456789-abcdefgh") }),
      "sealed with another secret, id 1": await sealData(data, { password: { 1: "someone-elses-secret-0123456789-abcdefgh" } }),
      // iron-session allows 60 s of clock skew: a seal that ended two minutes ago is expired for sure.
      expired: await sealData(data, { password: ours(value), ttl: -120 }),
      "right secret, wrong shape": await sealData({ ...data, v: 2 }, { password: ours(value) }),
      "right secret, not a uuid": await sealData({ ...data, cid: "not-a-uuid" }, { password: ours(value) }),
      "right secret, empty": await sealData({}, { password: ours(value) }),
      "oversized": `${value}${"A".repeat(5000)}`,
      garbage: "garbage",
      "empty value": "",
    };
    for (const [name, bad] of Object.entries(forged)) {
      if (name !== "empty value") expect(bad, name).not.toBe(value);
      const attacker = new Shopper(app.url, app.fetch);
      attacker.cookies.set(COOKIE, bad);
      const read = await attacker.getCart();
      expect(read.status, name).toBe(200);
      expect(read.body, name).toEqual(EMPTY_CART);
      expect(setCookieOf(read.headers), `${name}: a fresh session cookie`).toBeDefined();
      expect(attacker.cookies.get(COOKIE), name).not.toBe(bad);

      const forgedAdd = new Shopper(app.url, app.fetch);
      forgedAdd.cookies.set(COOKIE, bad);
      const add = await forgedAdd.add(MUG);
      expect(add.status, name).toBe(200);
      expect(add.body.id, name).not.toBe(victimCart.id);
      expect(add.body.items, name).toMatchObject([{ productId: MUG, quantity: 1 }]);
      expect((await forgedAdd.request("GET", "/api/session")).status, name).toBe(200);
    }
    expect((await victim.getCart()).body).toEqual(victimCart);
  });

  it("sets the session cookie with the contract's attributes", async () => {
    const s = new Shopper(app.url, app.fetch);
    const res = await s.getCart();
    const line = setCookieOf(res.headers)!;
    expect(line).toMatch(/^__Host-cart_session=Fe26\.2\*[^;]+;/);
    const attributes = line.split(";").slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toContain("path=/");
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("secure");
    expect(attributes).toContain("samesite=lax");
    expect(attributes.some((a) => a.startsWith("domain="))).toBe(false);
    // A guest cookie lives as long as the guest cart may be recovered (GUEST_CART_RECOVERY_DAYS, 7).
    expect(attributes).toContain(`max-age=${7 * 86_400}`);
    // Sealed: the ids are not readable in it.
    const data = (await unsealData<SessionCookie>(s.cookies.get(COOKIE)!, { password: ours(s.cookies.get(COOKIE)!) })) as SessionCookie;
    expect(line).not.toContain(data.sid);
    expect(line).not.toContain(data.cid!);
  });

  it("never puts a session id or cart id in a URL: pages, redirects and recovery links", async () => {
    const s = new Shopper(server.url);
    expect((await s.add(TEE, 2)).status).toBe(200);
    const cartId: string = (await s.getCart()).body.id;
    const { sid } = (await unsealData<SessionCookie>(s.cookies.get(COOKIE)!, { password: ours(s.cookies.get(COOKIE)!) })) as SessionCookie;
    const secrets = [cartId, sid, s.cookies.get(COOKIE)!];

    const urls: string[] = [];
    for (const page of ["/", "/cart", `/products/tee-black-m`]) {
      const res = await s.request("GET", page);
      expect(res.status, page).toBe(200);
      const html = String(res.body);
      expect(html, `${page} must not expose the session id`).not.toContain(sid);
      for (const m of html.matchAll(/\b(?:href|src|action|formaction|poster|srcset)="([^"]*)"/gi)) urls.push(m[1]!);
    }
    expect(urls.length).toBeGreaterThan(5);

    // A form post without JavaScript redirects back: the Location carries no id.
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"));
    const actionId = Object.entries(manifest.node as Record<string, { exportedName?: string }>).find(([, v]) => v.exportedName === "addToCartAction")?.[0];
    const form = new FormData();
    form.set(`$ACTION_ID_${actionId}`, "");
    form.set("productId", MUG);
    form.set("returnTo", "/cart");
    const posted = await fetch(`${server.url}/cart`, { method: "POST", body: form, headers: { cookie: s.cookieHeader(), origin: server.url }, redirect: "manual" });
    await posted.arrayBuffer();
    expect(posted.status).toBe(303);
    urls.push(posted.headers.get("location")!);

    const link = await s.request("POST", "/api/cart/recovery-link");
    expect(link.status).toBe(201);
    urls.push(link.body.url);

    for (const url of urls) for (const secret of secrets) expect(url).not.toContain(secret);
  });

  it("ignores x-middleware-subrequest: the proxy, origin checks and cookies work as without it", async () => {
    const s = new Shopper(server.url);
    expect((await s.add(TEE)).status).toBe(200);
    const before = (await s.getCart()).body;
    const raw = new RawClient(server.url, 2);
    try {
      for (const value of ["proxy", "middleware", "src/middleware", "proxy:proxy:proxy:proxy:proxy", "middleware:middleware:middleware:middleware:middleware", "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware"]) {
        const h = { "x-middleware-subrequest": value };
        // The proxy still answers a malformed path (it would be a 500 without it).
        const malformed = await raw.send({ method: "DELETE", path: "/api/cart/items/%FF", headers: { ...h, cookie: s.cookieHeader() } });
        expect(malformed.status, value).toBe(422);
        expect(JSON.parse(malformed.text), value).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
        const cross = await s.add(MUG, 1, { ...h, origin: "https://evil.example" });
        expect(cross.status, value).toBe(403);
        const forged = new Shopper(server.url);
        forged.cookies.set(COOKIE, "garbage");
        expect((await forged.request("GET", "/api/cart", { headers: h })).body, value).toEqual(EMPTY_CART);
        expect((await s.request("GET", "/api/cart", { headers: h })).body, value).toEqual(before);
      }
    } finally {
      raw.close();
    }
    expect((await s.getCart()).body).toEqual(before);
  });
});

describe("session secret rotation (Postgres + Redis)", () => {
  let backend: Backend;
  // A restart with other secrets is a new instance with them (test/support/in-process-app.ts).
  let app: InProcessApp | undefined;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "secret_rotation");
  });

  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  async function restartWith(secrets: string) {
    await app?.stop();
    app = await startInProcessApp({ ...backend.env, SESSION_SECRET: secrets });
    return app;
  }

  it("keeps sessions across a rotation (newest first), reseals old cookies, and drops the old secret cleanly", async () => {
    let server = await restartWith(OLD_SECRET);
    const s = new Shopper(server.url, server.fetch);
    expect((await s.add(TEE, 2)).status).toBe(200);
    const oldCookie = s.cookies.get(COOKIE)!;
    const cart = (await s.getCart()).body;

    // New secret first, old one still accepted: the cart is reached and the cookie resealed.
    server = await restartWith(`${NEW_SECRET},${OLD_SECRET}`);
    const viaOld = new Shopper(server.url, server.fetch);
    viaOld.cookies.set(COOKIE, oldCookie);
    const read = await viaOld.getCart();
    expect(read.status).toBe(200);
    expect(read.body).toEqual(cart);
    expect(setCookieOf(read.headers), "an old cookie is resealed with the new secret").toBeDefined();
    const newCookie = viaOld.cookies.get(COOKIE)!;
    expect(newCookie).not.toBe(oldCookie);
    const again = await viaOld.getCart();
    expect(again.body).toEqual(cart);
    expect(setCookieOf(again.headers), "a resealed cookie is not resealed again").toBeUndefined();
    const added = await viaOld.add(TEE, 1);
    expect(added.status).toBe(200);
    expect(added.body.id).toBe(cart.id);
    expect(added.body.items).toMatchObject([{ productId: TEE, quantity: 3 }]);

    // Only the new secret: old cookies reach nothing, resealed ones still work.
    server = await restartWith(NEW_SECRET);
    const stale = new Shopper(server.url, server.fetch);
    stale.cookies.set(COOKIE, oldCookie);
    expect((await stale.getCart()).body).toEqual(EMPTY_CART);
    const current = new Shopper(server.url, server.fetch);
    current.cookies.set(COOKIE, newCookie);
    const reached = await current.getCart();
    expect(reached.status).toBe(200);
    expect(reached.body).toMatchObject({ id: cart.id, items: [{ productId: TEE, quantity: 3 }] });
  });
});
