import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { deleteRedisKeys } from "../support/services";
import { Shopper } from "../support/shopper";
import { TestClock } from "../support/clock";

/**
 * A signed-in session's absolute lifetime (however active, it ends), with
 * and without the store's record; and AUTH_SECRET as a list for rotation:
 * tokens signed with the old secret stay readable while it is listed. Four
 * instances of the demo's module in this process (test/support/in-process-app.ts),
 * Auth.js's routes included, on one database. The lifetime is read against the
 * instance's clock (lib/session/session.ts, lib/session/user-sessions.ts), so the
 * test moves that clock on instead of waiting.
 */
const PASSWORD = "correct horse battery";
const OLD_AUTH_SECRET = "old-auth-secret-0123456789-abcdefghijklmnop";
const NEW_AUTH_SECRET = "new-auth-secret-0123456789-abcdefghijklmnop";
const clock = new TestClock();

let backend: Backend;
let shortLived: InProcessApp;
let oldSecret: InProcessApp;
let rotated: InProcessApp;
let newOnly: InProcessApp;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "lifetimes");
  // One app first: it migrates the database the others share.
  shortLived = await startInProcessApp({ ...backend.env, USER_SESSION_ABSOLUTE_SECONDS: "3" }, { now: clock.now });
  [oldSecret, rotated, newOnly] = await Promise.all([
    startInProcessApp({ ...backend.env, AUTH_SECRET: OLD_AUTH_SECRET }),
    startInProcessApp({ ...backend.env, AUTH_SECRET: `${NEW_AUTH_SECRET},${OLD_AUTH_SECRET}` }),
    startInProcessApp({ ...backend.env, AUTH_SECRET: NEW_AUTH_SECRET }),
  ]);
});

afterAll(async () => {
  // One database and Redis for all four: their connections are shared, closed once.
  await shortLived?.stop();
  await backend?.cleanup();
});

async function registeredAndSignedIn(app: InProcessApp, tag: string) {
  const email = uniqueEmail(tag);
  const s = new Shopper(app.url, app.fetch);
  expect((await s.request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
  expect((await signIn(s, email, PASSWORD)).status).toBe(302);
  return { s, email };
}

describe("absolute lifetime of a signed-in session", () => {
  it("ends the session when it runs out, however active, with or without the store's record", async () => {
    const a = await registeredAndSignedIn(shortLived, "absolute");
    const b = await registeredAndSignedIn(shortLived, "absolute-nostore");
    const described = await a.s.request("GET", "/api/session");
    expect(described.body.user?.email).toBe(a.email);
    // expiresAt says when it ends: no later than sign-in + 3 s.
    expect(Date.parse(described.body.expiresAt) - Date.parse(described.body.startedAt)).toBeLessThanOrEqual(3_000);
    for (let i = 0; i < 3; i += 1) {
      expect((await a.s.request("GET", "/api/session")).body.user?.email).toBe(a.email); // activity does not extend it
      clock.advance(1_000);
    }
    clock.advance(300);
    // From the store's record…
    expect((await a.s.request("GET", "/api/session")).body.user).toBeNull();
    // …and from Postgres alone.
    await deleteRedisKeys(`${backend.env.STORE_KEY_PREFIX}sess:*`);
    expect((await b.s.request("GET", "/api/session")).body.user).toBeNull();
  });
});

describe("AUTH_SECRET rotation", () => {
  it("keeps Auth.js tokens signed with a listed older secret readable, and refuses them once it is dropped", async () => {
    const { s, email } = await registeredAndSignedIn(oldSecret, "authrotate");
    const cookie = { headers: { cookie: s.cookieHeader() } };
    const authSession = (app: InProcessApp) => new Shopper(app.url, app.fetch).request("GET", "/api/auth/session", cookie);
    expect((await authSession(oldSecret)).body?.user?.email).toBe(email);
    expect((await authSession(rotated)).body?.user?.email).toBe(email);
    expect((await authSession(newOnly)).body?.user).toBeUndefined();
  });
});
