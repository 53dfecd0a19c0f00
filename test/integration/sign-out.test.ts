import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { startRedisProcess, type RedisProcess } from "../support/redis-process";
import { Shopper } from "../support/shopper";

/**
 * Sign-out is final whatever happens around it: Redis stopped, paused or
 * flushed, Auth.js's own cookie missing or unreadable, Postgres failing once
 * while the session is revoked. A copy of the cookies taken before sign-out
 * never reaches the user again (the store may vouch for a session for
 * SESSION_REVALIDATE_SECONDS, here 1, so each check waits past that: the
 * module reads Date.now() there, not the instance's clock). The demo's
 * instance, Auth.js's routes included, runs in this process
 * (test/support/in-process-app.ts).
 */
const TEE = "sku-tee-black-m";
const PASSWORD = "correct horse battery";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisProcess;
let backend: Backend;
let app: InProcessApp;
let sql: postgres.Sql;

beforeAll(async () => {
  redis = await startRedisProcess();
  backend = await prepareBackend("postgres+redis", "sign_out");
  app = await startInProcessApp({
    ...backend.env,
    REDIS_URL: redis.url,
    STORE_TIMEOUT_MS: "100",
    SESSION_REVALIDATE_SECONDS: "1",
    SESSION_ROTATION_GRACE_SECONDS: "1",
  });
  sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await redis?.stop();
  await backend?.cleanup();
});

const shopper = () => new Shopper(app.url, app.fetch);

async function signedInWithCart(tag: string): Promise<Shopper> {
  const email = uniqueEmail(tag);
  expect((await shopper().request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
  const s = shopper();
  expect((await signIn(s, email, PASSWORD)).status).toBe(302);
  expect((await s.add(TEE, 2)).status).toBe(200);
  expect((await s.request("GET", "/api/session")).body.user?.email).toBe(email);
  return s;
}

/** Past every window in which a request of before the sign-out may still be answered from the store. */
async function expectCopyReachesNothing(cookie: string) {
  await sleep(1_200);
  for (let i = 0; i < 2; i += 1) {
    const session = await shopper().request("GET", "/api/session", { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(session.body.user).toBeNull();
    const cart = await shopper().request("GET", "/api/cart", { headers: { cookie } });
    expect(cart.status).toBe(200);
    expect(cart.body.items).toEqual([]);
    const auth = await shopper().request("GET", "/api/auth/session", { headers: { cookie } });
    expect(auth.body?.user).toBeUndefined();
  }
}

async function expectSignedOut(device: Shopper) {
  expect((await device.request("GET", "/api/session")).body.user).toBeNull();
  expect((await device.getCart()).body.items).toEqual([]);
}

const authCookieNames = (s: Shopper) => [...s.cookies.keys()].filter((name) => name.includes("authjs.session-token"));

describe("sign-out always ends the session", () => {
  it("with Redis stopped during the sign-out and back empty afterwards", async () => {
    const s = await signedInWithCart("stopped");
    const copy = s.cookieHeader();
    await redis.kill();
    try {
      expect((await signOut(s)).status).toBe(302);
    } finally {
      await redis.start();
    }
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("with Redis paused during the sign-out: its stale record cannot bring the session back", async () => {
    const s = await signedInWithCart("paused");
    const copy = s.cookieHeader();
    redis.pause();
    try {
      expect((await signOut(s)).status).toBe(302);
    } finally {
      redis.resume();
    }
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("with Redis flushed before and after the sign-out", async () => {
    const s = await signedInWithCart("flushed");
    const copy = s.cookieHeader();
    await redis.command(["FLUSHALL"]);
    expect((await signOut(s)).status).toBe(302);
    await redis.command(["FLUSHALL"]);
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("with Auth.js's own cookie missing", async () => {
    const s = await signedInWithCart("noauthcookie");
    const copy = s.cookieHeader();
    const names = authCookieNames(s);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) s.cookies.delete(name);
    expect((await signOut(s)).status).toBe(302);
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("with Auth.js's own cookie unreadable (sealed with another secret)", async () => {
    const s = await signedInWithCart("badauthcookie");
    const copy = s.cookieHeader();
    for (const name of authCookieNames(s)) s.cookies.set(name, `${s.cookies.get(name)!.slice(0, -8)}AAAAAAAA`);
    expect((await signOut(s)).status).toBe(302);
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("with Postgres failing once while the session is revoked (the revocation is retried)", async () => {
    const s = await signedInWithCart("pgfails");
    const copy = s.cookieHeader();
    // A sequence is not rolled back with the failing statement, so exactly the first update fails.
    await sql.unsafe(`
      create sequence revoke_attempts;
      create function fail_first_revocation() returns trigger language plpgsql as $$
      begin
        if nextval('revoke_attempts') = 1 then raise exception 'injected revocation failure'; end if;
        return new;
      end $$;
      create trigger fail_first_revocation before update on cart_user_sessions for each row execute function fail_first_revocation();`);
    try {
      expect((await signOut(s)).status).toBe(302);
      const [row] = await sql<{ attempts: string }[]>`select last_value as attempts from revoke_attempts`;
      expect(Number(row?.attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      await sql.unsafe(`drop trigger fail_first_revocation on cart_user_sessions; drop function fail_first_revocation(); drop sequence revoke_attempts;`);
    }
    await redis.command(["FLUSHALL"]);
    await expectSignedOut(s);
    await expectCopyReachesNothing(copy);
  });

  it("through DELETE /api/session for API clients", async () => {
    const s = await signedInWithCart("apidelete");
    const copy = s.cookieHeader();
    const res = await s.request("DELETE", "/api/session");
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
    await expectSignedOut(s);
    await redis.command(["FLUSHALL"]);
    await expectCopyReachesNothing(copy);
  });
});
