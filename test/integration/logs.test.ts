import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact, redactError } from "@/lib/log/redact";
import { callAction } from "../support/actions";
import { startApp, TEST_SESSION_SECRET, type AppServer } from "../support/app";
import { signIn, signOut, uniqueEmail } from "../support/auth";
import { prepareBackend, type Backend } from "../support/backends";
import { Shopper, type Reply } from "../support/shopper";

/**
 * Logs of the built app on real Postgres + Redis, at debug level: a shopper's
 * whole signed-in journey (register, a wrong and a right password, adds
 * through the API and a server action, a recovery link made, opened and
 * confirmed, sign-out) leaves none of its secrets in the output; every line
 * of a request carries the id its response carries in X-Request-Id; an
 * incoming X-Request-Id counts only with TRUST_PROXY; and every kind of
 * response carries one.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const PASSWORD = "log-test password 7f3a9c";
const WRONG_PASSWORD = "log-test wrong 0b21de";
const AUTH_SECRET = "logs-test-auth-secret-0123456789-abcdefghij";

let backend: Backend;
let app: AppServer;
let trusted: AppServer;
let sql: postgres.Sql;

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "logs");
  [app, trusted] = await Promise.all([
    startApp({ ...backend.env, LOG_LEVEL: "debug", AUTH_SECRET }),
    startApp({ ...backend.env, LOG_LEVEL: "info", AUTH_SECRET, TRUST_PROXY: "1" }),
  ]);
  sql = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await Promise.all([app?.stop(), trusted?.stop()]);
  await backend?.cleanup();
});

interface Seen {
  method: string;
  path: string;
  status: number;
  requestId: string | null;
}

/** A shopper that remembers every reply's request id and every cookie value it was ever given. */
class RecordingShopper extends Shopper {
  seen: Seen[] = [];
  cookieValues = new Set<string>();

  override async request<T = any>(method: string, path: string, options: Parameters<Shopper["request"]>[2] = {}): Promise<Reply<T>> {
    const reply = await super.request<T>(method, path, options);
    this.seen.push({ method, path, status: reply.status, requestId: reply.headers.get("x-request-id") });
    for (const value of this.cookies.values()) this.cookieValues.add(value);
    return reply;
  }

  last(): Seen {
    return this.seen.at(-1)!;
  }
}

interface Line {
  level: string;
  msg: string;
  requestId?: string;
  route?: string;
  method?: string;
  status?: number;
  durationMs?: number;
  action?: string;
  [key: string]: unknown;
}

function lines(server: AppServer): Line[] {
  return server
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
}

/** The output is read from a pipe: wait until the line for this request id has arrived. */
async function logged(server: AppServer, requestId: string): Promise<Line[]> {
  for (let i = 0; i < 100; i++) {
    const mine = lines(server).filter((l) => l.requestId === requestId);
    if (mine.some((l) => l.msg === "request" || l.msg === "action")) return mine;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no request line for ${requestId} in:\n${server.output().slice(-3000)}`);
}

describe("a signed-in journey", () => {
  let journey: RecordingShopper;
  let opener: RecordingShopper;
  let token: string;
  let email: string;

  beforeAll(async () => {
    journey = new RecordingShopper(app.url);
    opener = new RecordingShopper(app.url);
    email = uniqueEmail("logs");
    expect((await journey.getCart()).status).toBe(200);
    expect((await journey.add(TEE)).status).toBe(200);
    expect((await journey.request("POST", "/api/auth/register", { json: { email, password: PASSWORD } })).status).toBe(201);
    const refused = await signIn(journey, email, WRONG_PASSWORD);
    expect(refused.headers.get("location")).toMatch(/error/);
    const accepted = await signIn(journey, email, PASSWORD);
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("location")).not.toMatch(/error/);
    expect((await journey.add(MUG, 2)).status).toBe(200);
    const viaAction = await callAction(journey, "addToCartAction", { productId: TEE, quantity: "1" });
    expect(viaAction.result.ok).toBe(true);
    const link = await journey.request("POST", "/api/cart/recovery-link");
    expect(link.status).toBe(201);
    const url = new URL(link.body.url);
    token = url.searchParams.get("token")!;
    expect((await opener.request("GET", url.pathname + url.search)).status).toBe(200);
    const confirmed = await opener.request("POST", "/cart/recover/confirm", {
      body: new URLSearchParams({ token }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url },
    });
    expect(confirmed.headers.get("location")).toMatch(/restored=1/);
    expect((await journey.request("GET", "/cart")).status).toBe(200);
    expect((await signOut(journey)).status).toBe(302);
    expect((await journey.getCart()).body.items).toEqual([]);
    await logged(app, journey.last().requestId!);
  });

  it("leaves no password, hash, cookie value, csrf token, link token or secret in the log", async () => {
    const [user] = await sql`select password_hash from cart_users where email = ${email}`;
    const csrfTokens = (await Promise.all([journey, opener].map((s) => s.request("GET", "/api/auth/csrf")))).map((r) => r.body.csrfToken as string);
    const secrets = new Map<string, string>([
      ["password", PASSWORD],
      ["wrong password", WRONG_PASSWORD],
      ["password hash", user!.password_hash as string],
      ["link token", token],
      ["link token, encoded", encodeURIComponent(token)],
      ["session secret", TEST_SESSION_SECRET],
      ["auth secret", AUTH_SECRET],
      ...csrfTokens.map((t, i) => [`csrf token ${i}`, t] as [string, string]),
      // As sent, and decoded: a log could hold either form.
      ...[...journey.cookieValues, ...opener.cookieValues].flatMap((v, i) => [
        [`cookie value ${i}`, v] as [string, string],
        [`cookie value ${i}, decoded`, decodeURIComponent(v)] as [string, string],
      ]),
    ]);
    // Auth.js's session and csrf cookies and our own were all seen, so the list is not empty by accident.
    expect(journey.cookieValues.size).toBeGreaterThanOrEqual(3);
    const output = app.output();
    expect(output).toContain('"msg":"sign-in refused"');
    for (const [what, secret] of secrets) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(output.includes(secret), `${what} appears in the log`).toBe(false);
    }
  });

  it("puts the response's X-Request-Id on every line of that request, with its route, status and duration", async () => {
    const all = [...journey.seen, ...opener.seen];
    for (const reply of all) expect(reply.requestId, `${reply.method} ${reply.path}`).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(new Set(all.map((r) => r.requestId)).size).toBe(all.length);

    // The wrong password: Auth.js's line and the request line share the id the response carried.
    const refused = journey.seen.find((r) => r.path === "/api/auth/callback/credentials")!;
    const refusedLines = await logged(app, refused.requestId!);
    expect(refusedLines.map((l) => l.msg).sort()).toEqual(["request", "sign-in refused"]);

    // Every response, pages and the server action's included, has exactly one request line with its id, route and status.
    for (const reply of all) {
      const mine = (await logged(app, reply.requestId!)).filter((l) => l.msg === "request");
      expect(mine, `${reply.method} ${reply.path}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ level: "info", method: reply.method, route: reply.path.split("?")[0], status: reply.status });
      expect(mine[0]!.durationMs).toEqual(expect.any(Number));
    }

    // The server action's line carries the id of the response that answered it.
    const action = journey.seen.find((r) => r.method === "POST" && r.path === "/cart")!;
    expect(await logged(app, action.requestId!)).toContainEqual(expect.objectContaining({ msg: "action", action: "addItem", outcome: "ok" }));

    // No line carries an id that no response carried (other than the harness's health checks).
    const known = new Set([...all.map((r) => r.requestId), ...lines(app).filter((l) => l.route === "/api/health").map((l) => l.requestId)]);
    for (const line of lines(app).filter((l) => l.requestId !== undefined)) expect(known.has(line.requestId!), JSON.stringify(line)).toBe(true);
  });
});

describe("an incoming X-Request-Id", () => {
  it("is replaced without TRUST_PROXY", async () => {
    const reply = await new Shopper(app.url).request("GET", "/api/cart", { headers: { "x-request-id": "edge-untrusted-1" } });
    const id = reply.headers.get("x-request-id")!;
    expect(id).not.toBe("edge-untrusted-1");
    expect((await logged(app, id)).find((l) => l.msg === "request")).toMatchObject({ route: "/api/cart", status: 200 });
    expect(lines(app).some((l) => l.requestId === "edge-untrusted-1")).toBe(false);
  });

  it("is kept with TRUST_PROXY when well formed, and replaced when not", async () => {
    const s = new Shopper(trusted.url);
    const reply = await s.request("GET", "/api/cart", { headers: { "x-request-id": "edge-trusted.1_A" } });
    expect(reply.headers.get("x-request-id")).toBe("edge-trusted.1_A");
    expect((await logged(trusted, "edge-trusted.1_A")).find((l) => l.msg === "request")).toMatchObject({ route: "/api/cart", status: 200 });
    for (const bad of ["has spaces in it", "x".repeat(129), "semi;colon", "quote\"d"]) {
      const replaced = await s.request("GET", "/api/session", { headers: { "x-request-id": bad } });
      const id = replaced.headers.get("x-request-id")!;
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
      expect((await logged(trusted, id)).find((l) => l.msg === "request")).toMatchObject({ route: "/api/session" });
    }
  });
});

describe("every response", () => {
  it("carries an X-Request-Id, and has its request line: pages, API, Auth.js routes and errors", async () => {
    const s = new RecordingShopper(app.url);
    const cases: [string, string, Parameters<Shopper["request"]>[2], number][] = [
      ["GET", "/", {}, 200],
      ["GET", "/cart", {}, 200],
      ["GET", "/products/tee-black-m", {}, 200],
      ["GET", "/signin", {}, 200],
      ["GET", "/no-such-page", {}, 404],
      ["GET", "/cart/recover?token=not-a-token", {}, 307],
      ["GET", "/api/products", {}, 200],
      ["GET", "/api/cart", {}, 200],
      ["GET", "/api/session", {}, 200],
      ["GET", "/api/no-such-route", {}, 404],
      ["POST", "/api/cart/items", { body: "productId=x", headers: { "content-type": "text/plain" } }, 415],
      ["GET", "/api/cart/items/%E0%A4%A", {}, 405],
      ["DELETE", "/api/cart/items/%E0%A4%A", {}, 422],
      ["POST", "/api/cart/items", { json: { productId: TEE }, headers: { origin: "https://elsewhere.example" } }, 403],
      ["GET", "/api/auth/csrf", {}, 200],
      ["GET", "/api/auth/session", {}, 200],
      ["GET", "/api/auth/providers", {}, 200],
      ["POST", "/api/auth/callback/credentials", { body: "email=a%40b.c&password=x", headers: { "content-type": "application/x-www-form-urlencoded" } }, 0],
    ];
    for (const [method, path, options, status] of cases) {
      const reply = await s.request(method, path, options);
      if (status !== 0) expect(reply.status, `${method} ${path}`).toBe(status);
      expect(reply.headers.get("x-request-id"), `${method} ${path} (${reply.status})`).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    }
    expect(new Set(s.seen.map((r) => r.requestId)).size).toBe(cases.length);
    // And each has its one request line under that id, with the status the client got.
    for (const reply of s.seen) {
      const mine = (await logged(app, reply.requestId!)).filter((l) => l.msg === "request");
      expect(mine.map((l) => [l.route, l.status]), `${reply.method} ${reply.path}`).toEqual([[reply.path.split("?")[0], reply.status]]);
    }
  });
});

describe("a real postgres.js error", () => {
  it("loses its statement, bound values and detail when logged, even from a debug connection", async () => {
    // With `debug` set, postgres.js makes the statement and its values enumerable on every error.
    const debugSql = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {}, debug: () => {} });
    const email = uniqueEmail("dup");
    const hash = "$argon2id$v=19$m=19456,t=2,p=1$bG9ncy10ZXN0LXNhbHQ$bG9ncy10ZXN0LWhhc2gtdmFsdWU";
    try {
      await debugSql`insert into cart_users (id, email, password_hash) values (${crypto.randomUUID()}, ${email}, ${hash})`;
      const failure = await debugSql`insert into cart_users (id, email, password_hash) values (${crypto.randomUUID()}, ${email}, ${hash})`.catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      const raw = failure as Error & Record<string, unknown>;
      // The leak being guarded against is real: the error itself holds all three.
      expect(JSON.stringify({ ...raw })).toContain(hash);
      expect(String(raw.detail)).toContain(email);
      for (const logged of [redactError(raw), redact({ err: raw }), redact({ failure: { ...raw } })]) {
        const text = JSON.stringify(logged);
        for (const leak of [hash, "bG9ncy10ZXN0", email, "insert into"]) expect(text).not.toContain(leak);
      }
      expect(redactError(raw)).toMatchObject({ code: "23505", severity: "ERROR", constraint_name: "cart_users_email_lower_key" });
    } finally {
      await debugSql.end();
    }
  });
});
