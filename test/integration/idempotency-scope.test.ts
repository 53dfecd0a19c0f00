import { sealData, unsealData } from "iron-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_SESSION_SECRET } from "../support/app";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper, type Reply } from "../support/shopper";

/**
 * An Idempotency-Key lives with the cookie, not with the session record: the
 * same key from the same cookie replays after the record is lost in every
 * way it can be (idle expiry, FLUSHALL, Redis killed, the app restarted, the
 * in-process store gone with its process), and a cookie from before the
 * scope existed keeps its old scope. Sign-in starts a new scope. The demo's
 * instance runs in this process (test/support/in-process-app.ts); restart()
 * is a new instance with nothing in memory, as a new process. The idle expiry
 * is the store's own (Redis expires the record in real time), so it is waited for.
 */
const COOKIE = "__Host-cart_session";
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const IDLE_SECONDS = 2;
const key = () => `key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const qty = (cart: any, id: string) => cart.items.find((i: any) => i.productId === id)?.quantity ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startedAt(s: Shopper): Promise<string> {
  return (await s.request("GET", "/api/session")).body.startedAt;
}

/** The retry is the stored answer, and the cart holds the line once. */
async function expectReplay(s: Shopper, first: Reply<any>, retry: Reply<any>, productId: string, quantity: number) {
  expect(retry.status).toBe(200);
  expect(retry.headers.get("idempotent-replayed")).toBe("true");
  expect(retry.body).toEqual(first.body);
  expect(qty((await s.getCart()).body, productId)).toBe(quantity);
}

describe("Idempotency-Key scope on Postgres + a Redis of the test's own", () => {
  let backend: Backend;
  let redis: RedisProcess;
  let app: InProcessApp;

  beforeAll(async () => {
    redis = await startRedisProcess();
    backend = await prepareBackend("postgres+redis", "idem_scope");
    app = await startInProcessApp({ ...backend.env, REDIS_URL: redis.url, GUEST_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await backend?.cleanup();
  });

  it("replays the same key after the guest session went idle", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(TEE, 2, { "idempotency-key": k });
    expect(first.status).toBe(200);
    const before = await startedAt(s);
    await sleep((IDLE_SECONDS + 1.5) * 1000);
    const retry = await s.add(TEE, 2, { "idempotency-key": k });
    await expectReplay(s, first, retry, TEE, 2);
    // It was a new session: the record had expired.
    expect(await startedAt(s)).not.toBe(before);
  });

  it("replays the same key after FLUSHALL", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(MUG, 3, { "idempotency-key": k });
    const before = await startedAt(s);
    await redis.command(["FLUSHALL"]);
    const retry = await s.add(MUG, 3, { "idempotency-key": k });
    await expectReplay(s, first, retry, MUG, 3);
    expect(await startedAt(s)).not.toBe(before);
  });

  it("replays the same key after a restart of the app, and after Redis and the app both restarted empty", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(TEE, 1, { "idempotency-key": k });
    // The session the key was first used in (an app restart can outlast its 2 s idle timeout).
    const before = await startedAt(s);
    await app.restart();
    await expectReplay(s, first, await s.add(TEE, 1, { "idempotency-key": k }), TEE, 1);

    await redis.kill();
    await redis.start();
    await app.restart();
    await expectReplay(s, first, await s.add(TEE, 1, { "idempotency-key": k }), TEE, 1);
    expect(await startedAt(s)).not.toBe(before);
  });

  it("keeps a cookie sealed before the scope existed on its session id as the scope", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.getCart()).status).toBe(200);
    const value = s.cookies.get(COOKIE)!;
    const password = { [value.split("*")[1]!]: TEST_SESSION_SECRET };
    const data = (await unsealData<Record<string, unknown>>(value, { password })) as Record<string, unknown>;
    expect(data.ik).toEqual(expect.any(String));
    const legacy = { ...data };
    delete legacy.ik;
    s.cookies.set(COOKIE, await sealData(legacy, { password }));

    const k = key();
    const first = await s.add(MUG, 2, { "idempotency-key": k });
    expect(first.status).toBe(200);
    await redis.command(["FLUSHALL"]);
    await expectReplay(s, first, await s.add(MUG, 2, { "idempotency-key": k }), MUG, 2);
  });

  it("starts a new scope at sign-in and at sign-out: another identity never replays the outcome of the one before", async () => {
    const email = uniqueEmail("idem-scope");
    const password = "correct-horse-battery";
    expect((await new Shopper(app.url, app.fetch).request("POST", "/api/auth/register", { json: { email, password } })).status).toBe(201);
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const guest = await s.add(TEE, 1, { "idempotency-key": k });
    expect(guest.status).toBe(200);
    expect((await signIn(s, email, password)).status).toBeLessThan(400);
    expect((await s.request("GET", "/api/session")).body.user?.email).toBe(email);
    const signedIn = await s.add(TEE, 1, { "idempotency-key": k });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("idempotent-replayed")).toBeNull();
    // The guest's line came over with the merge, and the signed-in add applied on top of it.
    expect(qty((await s.getCart()).body, TEE)).toBe(2);

    // Signing out starts another: the guest that follows does not replay the signed-in outcome.
    expect((await signOut(s)).status).toBeLessThan(400);
    expect((await s.request("GET", "/api/session")).body.user).toBeNull();
    const guestAgain = await s.add(TEE, 1, { "idempotency-key": k });
    expect(guestAgain.status).toBe(200);
    expect(guestAgain.headers.get("idempotent-replayed")).toBeNull();
    expect(qty(guestAgain.body, TEE)).toBe(1);
  });
});

describe("Idempotency-Key scope on the embedded default (PGlite + in-process store)", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("pglite+memory", "idem_scope_embedded");
    app = await startInProcessApp(backend.env);
  });
  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("replays the same key after the session record went with the process", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(TEE, 2, { "idempotency-key": k });
    expect(first.status).toBe(200);
    const before = await startedAt(s);
    await app.restart();
    const retry = await s.add(TEE, 2, { "idempotency-key": k });
    await expectReplay(s, first, retry, TEE, 2);
    expect(await startedAt(s)).not.toBe(before);
  });
});
