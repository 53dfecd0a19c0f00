import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { deleteRedisKeys } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * Accounts on real Postgres + Redis: register, sign in through Auth.js's
 * routes, the merge of the guest cart, session rotation, server-side
 * sign-out and durable user carts (recovery links: recovery-links.test.ts).
 * The demo's instances run in this process (test/support/in-process-app.ts),
 * Auth.js's routes in Next.js's request scope as `next start` runs them; the
 * sign-in and sign-out pages are e2e's (accounts.spec.ts). The rotation grace
 * is read against Date.now() (lib/session/session.ts), so it is waited for.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const CAP = "sku-cap-black";
const PASSWORD = "correct horse battery";

let backend: Backend;
let app: InProcessApp;
// The same backend with a one-second rotation grace: what a cookie from before a
// sign-in or sign-out gets once no request of that time can still be in flight.
let lateApp: InProcessApp;
let sql: postgres.Sql;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "accounts");
  app = await startInProcessApp({ ...backend.env, CATALOG_CACHE_SECONDS: "0" });
  lateApp = await startInProcessApp({ ...backend.env, CATALOG_CACHE_SECONDS: "0", SESSION_ROTATION_GRACE_SECONDS: "1" });
  sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  // Both instances share the database's and Redis's connections: closed once.
  await app?.stop();
  await backend?.cleanup();
});

const shopper = () => new Shopper(app.url, app.fetch);
const lateShopper = () => new Shopper(lateApp.url, lateApp.fetch);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cookie from before a sign-in or sign-out, while requests of that time may be in flight. */
function expectRotated(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe("SESSION_ROTATED");
  expect(res.headers.get("set-cookie")).toBeNull();
}

async function registered(tag: string) {
  const email = uniqueEmail(tag);
  const res = await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } });
  expect(res.status).toBe(201);
  return { email, id: res.body.user.id as string };
}

async function signedIn(email: string, s = shopper()) {
  const res = await signIn(s, email, PASSWORD);
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).not.toMatch(/error/);
  return s;
}

const quantities = (cart: any) => Object.fromEntries(cart.items.map((i: any) => [i.productId, i.quantity]));

describe("register", () => {
  it("creates an account, refuses a duplicate email in any case, and bad input", async () => {
    const email = uniqueEmail("reg");
    const res = await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: { id: expect.any(String), email } });
    const again = await shopper().request("POST", "/api/auth/register", { json: { email: email.toUpperCase(), password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("EMAIL_TAKEN");
    for (const json of [{ email, password: "short" }, { email: "not-an-email", password: PASSWORD }, { email, password: PASSWORD, admin: true }, { email }]) {
      const bad = await shopper().request("POST", "/api/auth/register", { json });
      expect(bad.status).toBe(422);
      expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
  });
});

describe("sign in", () => {
  it("refuses a wrong password and signs in with the right one", async () => {
    const { email, id } = await registered("signin");
    const s = shopper();
    const wrong = await signIn(s, email, "wrong password!");
    expect(wrong.headers.get("location")).toMatch(/error=CredentialsSignin/);
    expect((await s.request("GET", "/api/session")).body.user).toBeNull();
    await signedIn(email, s);
    const session = await s.request("GET", "/api/session");
    expect(session.body.user).toEqual({ id, email });
    expect(session.body.idleTimeoutSeconds).toBe(30 * 86_400);
  });

  it("rotates the session: the cookie from before sign-in reaches nothing", async () => {
    const { email } = await registered("rotate");
    const s = shopper();
    await s.add(TEE, 2);
    const before = s.cookieHeader();
    await signedIn(email, s);
    expect(s.cookieHeader()).not.toBe(before);
    expect(quantities((await s.getCart()).body)).toEqual({ [TEE]: 2 });
    expectRotated(await shopper().request("GET", "/api/cart", { headers: { cookie: before } }));
    expectRotated(await shopper().request("POST", "/api/cart/items", { headers: { cookie: before }, json: { productId: MUG } }));
    // Once nothing of that time can be in flight, the old cookie is a new, empty guest session.
    await sleep(1_100);
    const old = await lateShopper().request("GET", "/api/cart", { headers: { cookie: before } });
    expect(old.status).toBe(200);
    expect(old.body.items).toEqual([]);
    const oldSession = await lateShopper().request("GET", "/api/session", { headers: { cookie: before } });
    expect(oldSession.body.user).toBeNull();
    expect(quantities((await s.getCart()).body)).toEqual({ [TEE]: 2 });
  });
});

describe("merge on sign-in", () => {
  it("adds disjoint lines and sums overlapping ones, with a notice shown once", async () => {
    const { email } = await registered("merge");
    const device = await signedIn(email);
    await device.add(TEE, 1);
    await device.add(MUG, 2);
    const guest = shopper();
    await guest.add(MUG, 3);
    await guest.add(CAP, 1);
    await signedIn(email, guest);
    const cart = (await guest.getCart()).body;
    expect(quantities(cart)).toEqual({ [TEE]: 1, [MUG]: 5, [CAP]: 1 });
    expect(cart.items.map((i: any) => i.productId)).toEqual([TEE, MUG, CAP]);
    expect(cart.notices).toEqual([expect.objectContaining({ type: "merged", message: "4 items from your earlier visit were added" })]);
    expect((await guest.getCart()).body.notices).toEqual([]);
    expect(quantities((await device.getCart()).body)).toEqual({ [TEE]: 1, [MUG]: 5, [CAP]: 1 });
  });

  it("caps a merged line at the per-line maximum and says so", async () => {
    const { email } = await registered("cap");
    const device = await signedIn(email);
    await device.add(TEE, 60);
    const guest = shopper();
    await guest.add(TEE, 60);
    await signedIn(email, guest);
    const cart = (await guest.getCart()).body;
    expect(quantities(cart)).toEqual({ [TEE]: 99 });
    expect(cart.notices).toEqual([
      expect.objectContaining({ type: "merged", message: "39 items from your earlier visit were added; 1 was capped at 99" }),
      expect.objectContaining({ type: "quantity_capped", productId: TEE, from: 120, to: 99 }),
    ]);
  });

  it("keeps a product that became unavailable visible as unavailable", async () => {
    const { email } = await registered("unavail");
    const guest = shopper();
    await guest.add("sku-beanie-rust", 1);
    await guest.add(TEE, 1);
    await sql`update cart_products set active = false where id = 'sku-beanie-rust'`;
    try {
      await signedIn(email, guest);
      const cart = (await guest.getCart()).body;
      expect(cart.items.find((i: any) => i.productId === "sku-beanie-rust")).toMatchObject({ available: false, quantity: 1 });
      expect(cart.subtotal).toBe(2500);
      expect(cart.notices.map((n: any) => n.type)).toEqual(["merged", "unavailable"]);
      expect((await guest.getCart()).body.notices.map((n: any) => n.type)).toEqual(["unavailable"]);
    } finally {
      await sql`update cart_products set active = true where id = 'sku-beanie-rust'`;
    }
  });

  it("an empty guest cart leaves the user's cart as it was; an empty user cart takes the guest's lines", async () => {
    const a = await registered("emptyguest");
    const device = await signedIn(a.email);
    await device.add(TEE, 2);
    const emptyGuest = await signedIn(a.email, shopper());
    const cart = (await emptyGuest.getCart()).body;
    expect(quantities(cart)).toEqual({ [TEE]: 2 });
    expect(cart.notices).toEqual([]);

    const b = await registered("emptyuser");
    const guest = shopper();
    await guest.add(MUG, 3);
    await signedIn(b.email, guest);
    expect(quantities((await guest.getCart()).body)).toEqual({ [MUG]: 3 });
  });

  it("merging the same guest cart twice changes nothing", async () => {
    const { email } = await registered("twice");
    const guest = shopper();
    await guest.add(MUG, 2);
    const guestCookie = guest.cookieHeader();
    await signedIn(email, guest);
    const first = (await guest.getCart()).body;
    // The same guest cookie signs in again (a retried form, a second tab).
    const copy = shopper();
    for (const part of guestCookie.split("; ")) {
      const eq = part.indexOf("=");
      copy.cookies.set(part.slice(0, eq), part.slice(eq + 1));
    }
    await signedIn(email, copy);
    const second = (await copy.getCart()).body;
    expect(quantities(second)).toEqual({ [MUG]: 2 });
    expect(second.version).toBe(first.version);
  });

  it("loses and doubles nothing when adds to the guest cart race the sign-in, and the sign-in wins", async () => {
    const { email } = await registered("race");
    const guest = shopper();
    await guest.add(TEE, 1);
    const guestCartId = (await guest.getCart()).body.id;
    const guestCookie = guest.cookieHeader();
    const adder = () => shopper().request("POST", "/api/cart/items", { json: { productId: MUG }, headers: { cookie: guestCookie } });
    const [adds, signInRes] = await Promise.all([Promise.all(Array.from({ length: 20 }, adder)), signIn(guest, email, PASSWORD)]);
    expect(signInRes.status).toBe(302);
    // No answer to the old cookie replaces the signed-in cookie the browser now holds.
    expect(adds.every((r) => r.headers.get("set-cookie") === null)).toBe(true);
    const refused = adds.filter((r) => r.status !== 200);
    refused.forEach(expectRotated);
    // The components retry a refused change with the browser's current cookie.
    const retried = await Promise.all(refused.map(() => guest.add(MUG)));
    const userCart = (await guest.getCart()).body;
    expect((await guest.request("GET", "/api/session")).body.user).not.toBeNull();
    for (const r of [...adds.filter((a) => a.status === 200), ...retried]) {
      expect(r.status).toBe(200);
      // Each answer names the cart its add landed in: the guest cart (merged into the user's) or the user's.
      expect([guestCartId, userCart.id]).toContain(r.body.id);
    }
    expect(retried.every((r) => r.body.id === userCart.id)).toBe(true);
    expect(quantities(userCart)).toEqual({ [TEE]: 1, [MUG]: 20 });
  });
});

describe("sign out", () => {
  it("wins over adds in flight: every acknowledged add is in the cart its answer named, and the device is signed out", async () => {
    const { email } = await registered("outrace");
    const s = await signedIn(email);
    await s.add(TEE, 1);
    const userCartId = (await s.getCart()).body.id;
    const cookie = s.cookieHeader();
    const adder = () => shopper().request("POST", "/api/cart/items", { json: { productId: MUG }, headers: { cookie } });
    const [adds, out] = await Promise.all([Promise.all(Array.from({ length: 20 }, adder)), signOut(s)]);
    expect(out.status).toBe(302);
    expect(adds.every((r) => r.headers.get("set-cookie") === null)).toBe(true);
    const acknowledged = adds.filter((r) => r.status === 200);
    adds.filter((r) => r.status !== 200).forEach(expectRotated);
    expect(acknowledged.every((r) => r.body.id === userCartId)).toBe(true);
    expect((await s.request("GET", "/api/session")).body.user).toBeNull();
    expect((await s.getCart()).body.items).toEqual([]);
    const again = await signedIn(email);
    expect(quantities((await again.getCart()).body)).toEqual({ [TEE]: 1, ...(acknowledged.length > 0 ? { [MUG]: acknowledged.length } : {}) });
  });

  it("ends the session on the server: cookies copied before sign-out reach nothing", async () => {
    const { email } = await registered("signout");
    const s = await signedIn(email);
    await s.add(TEE, 3);
    const captured = s.cookieHeader();
    const res = await signOut(s);
    expect(res.status).toBe(302);
    expect((await s.getCart()).body.items).toEqual([]);
    expect((await s.request("GET", "/api/session")).body.user).toBeNull();
    const replay = { headers: { cookie: captured } };
    expectRotated(await shopper().request("GET", "/api/cart", replay));
    expectRotated(await shopper().request("GET", "/api/session", replay));
    expectRotated(await shopper().request("POST", "/api/cart/items", { ...replay, json: { productId: MUG } }));
    const authSession = await shopper().request("GET", "/api/auth/session", replay);
    expect(authSession.body?.user).toBeUndefined();
    // Even when the store forgets every session record (flush), Postgres keeps the revocation.
    await deleteRedisKeys(`${backend.env.STORE_KEY_PREFIX}sess:*`);
    expectRotated(await shopper().request("GET", "/api/session", replay));
    // Later the copy is only a new guest: nothing of the user's.
    await sleep(1_100);
    expect((await lateShopper().request("GET", "/api/session", replay)).body.user).toBeNull();
    expect((await lateShopper().request("GET", "/api/cart", replay)).body.items).toEqual([]);
    const added = await lateShopper().request("POST", "/api/cart/items", { ...replay, json: { productId: MUG } });
    expect(added.body.items).toEqual([expect.objectContaining({ productId: MUG, quantity: 1 })]);
    const again = await signedIn(email);
    expect(quantities((await again.getCart()).body)).toEqual({ [TEE]: 3 });
  });

  it("restores the cart at the next sign-in on another device", async () => {
    const { email } = await registered("devices");
    const phone = await signedIn(email);
    await phone.add(MUG, 2);
    await signOut(phone);
    const laptop = await signedIn(email);
    expect(quantities((await laptop.getCart()).body)).toEqual({ [MUG]: 2 });
    await laptop.add(TEE, 1);
    const phoneAgain = await signedIn(email, phone);
    expect(quantities((await phoneAgain.getCart()).body)).toEqual({ [MUG]: 2, [TEE]: 1 });
  });

  it("keeps a user's cart untouched for longer than 30 days", async () => {
    const { email, id } = await registered("retention");
    const s = await signedIn(email);
    await s.add(CAP, 4);
    await signOut(s);
    await sql`update cart_carts set updated_at = now() - interval '45 days' where user_id = ${id}`;
    const later = await signedIn(email);
    expect(quantities((await later.getCart()).body)).toEqual({ [CAP]: 4 });
  });
});

describe("OAuth provider switch", () => {
  it("offers only email + password without GitHub's variables", async () => {
    const providers = (await shopper().request("GET", "/api/auth/providers")).body;
    expect(Object.keys(providers)).toEqual(["credentials"]);
  });

  it("adds GitHub when AUTH_GITHUB_ID and AUTH_GITHUB_SECRET are set", async () => {
    const embedded = await prepareBackend("pglite+memory", "oauth");
    const withGitHub = await startInProcessApp({ ...embedded.env, AUTH_GITHUB_ID: "test-client-id", AUTH_GITHUB_SECRET: "test-client-secret" });
    try {
      const providers = (await new Shopper(withGitHub.url, withGitHub.fetch).request("GET", "/api/auth/providers")).body;
      expect(Object.keys(providers).sort()).toEqual(["credentials", "github"]);
      expect(providers.github).toMatchObject({ type: "oauth", signinUrl: expect.stringContaining("/api/auth/signin/github") });
      // In production the embedded default neither seeds nor accepts the demo accounts the README prints.
      const demo = await signIn(new Shopper(withGitHub.url, withGitHub.fetch), "demo@example.com", "demo-password");
      expect(demo.headers.get("location")).toMatch(/error=CredentialsSignin/);
    } finally {
      await withGitHub.stop();
      await embedded.cleanup();
    }
  });
});
