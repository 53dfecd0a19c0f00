import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operationList, registerOperation } from "@/lib/contract/operations";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { openLive } from "../support/live";
import { Shopper, type Reply } from "../support/shopper";
import { markEmailVerified } from "../support/auth";

// The OpenAPI document against the running app, by behaviour only: every
// operation it lists is called (well-formed, with the document's own examples,
// then malformed in each way the contract names), and each answer's status must
// be one the document lists for it, with a body and headers that validate against
// what it documents. Every entry of the operation table is in it with its
// operationId; every method a path does not serve answers the documented 405.
// Every route, status and error code docs/api.md names must be in it.

const TEE = "sku-tee-black-m";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
type Method = (typeof METHODS)[number];

// Well-formed inputs where the document's example would not do (an account's email is used once).
const SAMPLE_BODIES: Record<string, unknown> = {
  "post /api/auth/register": { email: `openapi-${Date.now().toString(36)}@example.com`, password: "a-long-password" },
};
let accounts = 0;
// `id` (a checkout's) is set by the call that needs one (callWellFormed).
const SAMPLE_PARAMS: Record<string, string> = { productId: TEE, lineId: TEE };
// The bearer operations' tokens.
const CHECKOUT_SECRET = "openapi-checkout-secret-0123456789";
const BEARER = {
  "/api/metrics": "openapi-metrics-token-0123456789",
  "/api/cron/cleanup": "openapi-cron-secret-0123456789",
  "/api/checkouts/{id}": CHECKOUT_SECRET,
  "/api/checkouts/{id}/complete": CHECKOUT_SECRET,
};
// GET /api/admin/stats answers its figures to a signed-in admin only.
const ADMIN = { email: `openapi-admin-${Date.now().toString(36)}@example.com`, password: "an-admin-password" };

let backend: Backend;
let app: AppServer;
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat("date-time", (value: string) => /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)));

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "openapi");
  app = await startApp({
    ...backend.env,
    CRON_SECRET: BEARER["/api/cron/cleanup"],
    METRICS_TOKEN: BEARER["/api/metrics"],
    CHECKOUT_SECRET,
    ADMIN_EMAILS: ADMIN.email,
  });
  const res = await fetch(`${app.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
  doc = await res.json();
  ajv.addSchema({ $id: "https://next-cart.test/openapi.json", components: doc.components });
});

afterAll(async () => {
  await app?.stop();
  await backend?.cleanup();
});

function operations(): { path: string; method: Method; op: any }[] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path: p, method, op: item[method] })),
  );
}

const validators = new Map<string, ValidateFunction>();
// Local $refs ("#/components/...") point into the document, registered above under its own id.
function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    const rebased = JSON.parse(key.replace(/"#\/components\//g, '"https://next-cart.test/openapi.json#/components/'));
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  return validate;
}

// Follows a local $ref (a schema, response or header component) to what it names.
function resolve(node: any): any {
  if (node?.$ref) return node.$ref.split("/").slice(1).reduce((at: any, part: string) => at[part], doc);
  return node;
}

function fill(template: string) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(SAMPLE_PARAMS[name] ?? "x"));
}

// Checks one answer against what the document says about that operation.
function expectDocumented(label: string, op: any, reply: Reply<any>) {
  const documented = Object.keys(op.responses);
  expect(documented, `${label}: ${reply.status} ${JSON.stringify(reply.body)}`).toContain(String(reply.status));
  const response = resolve(op.responses[String(reply.status)]);
  for (const [name, reference] of Object.entries<any>(response.headers ?? {})) {
    const header = resolve(reference);
    const value = reply.headers.get(name);
    if (header.required) expect(value, `${label}: header ${name}`).not.toBeNull();
    if (value !== null && name.toLowerCase() !== "set-cookie") {
      const validate = validatorFor(header.schema);
      expect(validate(value), `${label}: header ${name}=${value} ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  }
  const contentType = reply.headers.get("content-type")?.split(";")[0] ?? null;
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) return;
  expect(Object.keys(content), `${label}: content type`).toContain(contentType);
  if (contentType === "application/json") {
    const validate = validatorFor(content["application/json"].schema);
    expect(validate(reply.body), `${label}: body ${JSON.stringify(reply.body).slice(0, 400)} ${JSON.stringify(validate.errors)}`).toBe(true);
  }
}

// A shopper with one line in the cart, so that routes needing a cart (recovery link, PATCH) succeed.
async function shopperWithCart(): Promise<Shopper> {
  const shopper = new Shopper(app.url);
  expect((await shopper.add(TEE, 1)).status).toBe(200);
  return shopper;
}

// The well-formed JSON body of an operation: the sample above, else the document's own example.
function sampleBody(method: Method, p: string, op: any): unknown {
  return SAMPLE_BODIES[`${method} ${p}`] ?? op.requestBody?.content?.["application/json"]?.example ?? {};
}

function send(shopper: Shopper, method: Method, p: string, op: any, overrides: { body?: string; type?: string; headers?: Record<string, string>; query?: string } = {}) {
  const types = Object.keys(op.requestBody?.content ?? {});
  const headers: Record<string, string> = { ...overrides.headers };
  let body: string | undefined = overrides.body;
  if (body === undefined && types.length > 0) {
    body = types[0] === "application/json" ? JSON.stringify(sampleBody(method, p, op)) : "";
  }
  if (body !== undefined) headers["content-type"] = overrides.type ?? types[0] ?? "application/json";
  return shopper.request(method.toUpperCase(), fill(p) + (overrides.query ?? ""), { body, headers });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function csrfToken(shopper: Shopper): Promise<string> {
  const reply = await shopper.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
  expect(reply.status).toBe(200);
  return reply.body.csrfToken;
}

// A new account, registered through the API, and its password.
async function newAccount(shopper: Shopper): Promise<{ email: string; password: string }> {
  const account = { email: `openapi-${Date.now().toString(36)}-${(accounts += 1)}@example.com`, password: "a-long-password" };
  expect((await shopper.request("POST", "/api/auth/register", { json: account })).status).toBe(201);
  return account;
}

// Signs a shopper in with Auth.js's credentials form (the admin's account is registered at the first sign-in).
let adminRegistered = false;
async function signIn(shopper: Shopper, account: { email: string; password: string }): Promise<Reply<any>> {
  if (account === ADMIN && !adminRegistered) {
    expect((await shopper.request("POST", "/api/auth/register", { json: ADMIN })).status).toBe(201);
    // ADMIN_EMAILS names admins only once a provider verified the address.
    await markEmailVerified(backend.env.DATABASE_URL!, ADMIN.email);
    adminRegistered = true;
  }
  return shopper.request("POST", "/api/auth/callback/credentials", {
    body: form({ ...account, csrfToken: await csrfToken(shopper) }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

// A recovery link's token, made by a shopper with a line in the cart.
async function recoveryToken(): Promise<string> {
  const reply = await (await shopperWithCart()).request<{ url: string }>("POST", "/api/cart/recovery-link");
  expect(reply.status).toBe(201);
  return new URL(reply.body.url).searchParams.get("token")!;
}

// A well-formed call of an operation: the JSON operations with their example body; Auth.js's
// forms with a CSRF token (and an account to sign in to); the recovery page and form with a real link.
async function callWellFormed(method: Method, p: string, op: any): Promise<Reply<any>> {
  const shopper = await shopperWithCart();
  const formType = { "content-type": "application/x-www-form-urlencoded" };
  if (p === "/api/auth/callback/credentials") return signIn(shopper, await newAccount(shopper));
  if (p === "/api/admin/stats") expect((await signIn(shopper, ADMIN)).status).toBe(302);
  if (p === "/api/auth/signout") return shopper.request("POST", p, { body: form({ csrfToken: await csrfToken(shopper) }), headers: formType });
  if (p === "/cart/recover") return shopper.request("GET", `${p}?token=${encodeURIComponent(await recoveryToken())}`);
  if (p === "/cart/recover/confirm") return shopper.request("POST", p, { body: form({ token: await recoveryToken() }), headers: formType });
  if (p === "/api/cart/live") {
    // A stream never ends by itself: its answer is read up to its first event.
    const stream = await openLive(shopper, fetch);
    const first = await stream.next();
    stream.close();
    return { status: stream.status, headers: stream.headers, body: first };
  }
  // The checkout routes need a checkout: the caller's own, or (the host's routes) one by its id.
  if (p === "/api/cart/checkout" && method !== "post") expect((await shopper.request("POST", p)).status).toBe(201);
  if (p.startsWith("/api/checkouts/")) {
    const created = await shopper.request<{ checkout: { id: string } }>("POST", "/api/cart/checkout");
    expect(created.status).toBe(201);
    SAMPLE_PARAMS.id = created.body.checkout.id;
  }
  return send(shopper, method, p, op, bearerHeaders(p, op));
}

// The bearer operations' Authorization, for a call that should pass it.
function bearerHeaders(p: string, op: any): { headers?: Record<string, string> } {
  const bearer = (op.security ?? []).some((requirement: object) => "bearer" in requirement);
  return bearer ? { headers: { authorization: `Bearer ${BEARER[p as keyof typeof BEARER]}` } } : {};
}

describe("the OpenAPI document against the running app", () => {
  it("is OpenAPI 3.1 with schemas that compile", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(operations().length).toBeGreaterThanOrEqual(15);
    for (const { op } of operations()) {
      for (const response of Object.values<any>(op.responses).map(resolve)) {
        for (const media of Object.values<any>(response.content ?? {})) validatorFor(media.schema);
      }
    }
  });

  it("has every entry of the operation table, with its operationId, under the app's base path", () => {
    for (const spec of [...operationList, registerOperation]) {
      const op = doc.paths[`/api${spec.path}`]?.[spec.method.toLowerCase()];
      expect(op?.operationId, `${spec.method} /api${spec.path}`).toBe(spec.id);
    }
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents the status, headers and body of a well-formed call to every operation", async () => {
    for (const { path: p, method, op } of operations()) {
      const reply = await callWellFormed(method, p, op);
      const label = `${method.toUpperCase()} ${p}`;
      expectDocumented(label, op, reply);
      // A well-formed call succeeds (or, for the browser's forms and pages, redirects where it should).
      expect(reply.status, `${label}: ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBeLessThan(400);
    }
  });

  const refusedSignIn = async (shopper: Shopper, headers: Record<string, string> = {}) =>
    shopper.request("POST", "/api/auth/callback/credentials", {
      body: form({ email: "nobody@example.com", password: "not-the-password", csrfToken: await csrfToken(shopper) }),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });

  it("documents a refused sign-in asked for as JSON (X-Auth-Return-Redirect: 1)", async () => {
    const reply = await refusedSignIn(new Shopper(app.url), { "x-auth-return-redirect": "1" });
    expect(reply.status).toBe(200);
    expect(reply.body.url).toMatch(/error=CredentialsSignin/);
    expectDocumented("refused sign-in as JSON", doc.paths["/api/auth/callback/credentials"].post, reply);
  });

  it("documents a refused sign-in as the redirect back to the sign-in page", async () => {
    const reply = await refusedSignIn(new Shopper(app.url));
    expect(reply.status).toBe(302);
    expect(reply.headers.get("location")).toMatch(/error=CredentialsSignin/);
    expectDocumented("refused sign-in", doc.paths["/api/auth/callback/credentials"].post, reply);
  });

  it("documents every malformed request the contract names, for every operation that takes a JSON body", async () => {
    const withJson = operations().filter(({ op }) => op.requestBody?.content?.["application/json"]);
    expect(withJson.length).toBeGreaterThanOrEqual(3);
    for (const { path: p, method, op } of withJson) {
      const label = `${method.toUpperCase()} ${p}`;
      const shopper = await shopperWithCart();
      const cases = [
        { expected: 422, code: "VALIDATION_ERROR", body: JSON.stringify({ ...(sampleBody(method, p, op) as object), unexpected: 1 }) },
        { expected: 400, code: "MALFORMED_JSON", body: "{not json" },
        { expected: 415, code: "UNSUPPORTED_MEDIA_TYPE", body: "{}", type: "text/plain" },
        { expected: 413, code: "PAYLOAD_TOO_LARGE", body: JSON.stringify({ pad: "x".repeat(20_000) }) },
      ];
      for (const c of cases) {
        const reply = await send(shopper, method, p, op, { ...c, ...bearerHeaders(p, op) });
        expect(reply.status, `${label} ${c.code}`).toBe(c.expected);
        expect(reply.body.error.code).toBe(c.code);
        expectDocumented(`${label} ${c.code}`, op, reply);
      }
    }
  });

  it("documents the answers to a stale If-Match and a malformed Idempotency-Key", async () => {
    const conditional = operations().filter(({ op }) => (op.parameters ?? []).some((param: any) => param.name === "If-Match"));
    expect(conditional.length).toBeGreaterThanOrEqual(4);
    for (const { path: p, method, op } of conditional) {
      const reply = await send(await shopperWithCart(), method, p, op, { headers: { "if-match": '"999"' } });
      expect(reply.status, `${method} ${p}`).toBe(412);
      expectDocumented(`${method.toUpperCase()} ${p} stale If-Match`, op, reply);
    }
    const keyed = operations().filter(({ op }) => (op.parameters ?? []).some((param: any) => param.name === "Idempotency-Key"));
    expect(keyed.length).toBe([...operationList, registerOperation].filter((spec) => spec.access === "session" && spec.changesCart).length);
    for (const { path: p, method, op } of keyed) {
      const reply = await send(await shopperWithCart(), method, p, op, { headers: { "idempotency-key": "k".repeat(256) } });
      expect(reply.status, `${method} ${p}`).toBe(422);
      expectDocumented(`${method.toUpperCase()} ${p} bad Idempotency-Key`, op, reply);
    }
  });

  it("documents a bearer operation called without its token as 401 UNAUTHORIZED", async () => {
    const guarded = operations().filter(({ op }) => (op.security ?? []).some((requirement: object) => "bearer" in requirement));
    expect(guarded.map(({ op }) => op.operationId).sort()).toEqual(["completeCheckout", "getMetrics", "readCheckout", "runCleanup", "runCleanupGet"]);
    for (const { path: p, method, op } of guarded) {
      const reply = await send(new Shopper(app.url), method, p, op);
      expect(reply.status, `${method} ${p}`).toBe(401);
      expectDocumented(`${method.toUpperCase()} ${p} without its token`, op, reply);
    }
  });

  it("documents a change from another origin as 403 FORBIDDEN_ORIGIN", async () => {
    const checked = operations().filter(({ op }) => op.responses["403"]);
    expect(checked.length).toBeGreaterThanOrEqual(7);
    for (const { path: p, method, op } of checked) {
      const reply = await send(await shopperWithCart(), method, p, op, { headers: { origin: "https://elsewhere.example" } });
      expect(reply.status, `${method} ${p}`).toBe(403);
      expectDocumented(`${method.toUpperCase()} ${p} other origin`, op, reply);
    }
  });

  // The methods a path does not serve, each with the 405 its operations document (body and Allow).
  async function unservedMethods(paths: string[]): Promise<{ label: string; allow: string | null; contract: boolean; reply: Reply<any>; op: any }[]> {
    const answers = [];
    for (const p of paths) {
      const item = doc.paths[p];
      const served = METHODS.filter((m) => item[m]);
      // Auth.js's catch-all route answers GET and POST on each of its paths itself.
      const unlisted = METHODS.filter((m) => !item[m] && !(p.startsWith("/api/auth/") && p !== "/api/auth/register" && (m === "get" || m === "post")));
      for (const method of unlisted) {
        const reply = await new Shopper(app.url).request(method.toUpperCase(), fill(p));
        const label = `${method.toUpperCase()} ${p}`;
        expect(reply.status, label).toBe(405);
        const contract = reply.body?.error?.code === "METHOD_NOT_ALLOWED";
        answers.push({ label, allow: reply.headers.get("allow"), contract, reply, op: item[served[0]!] });
      }
    }
    return answers;
  }

  const tablePaths = () => Object.keys(doc.paths).filter((p) => operationList.some((spec) => `/api${spec.path}` === p));

  it("answers every method a table path does not serve (PUT too) with the documented 405: the error body and Allow", async () => {
    const answers = await unservedMethods(tablePaths());
    expect(answers.length).toBeGreaterThanOrEqual(tablePaths().length * 2);
    for (const { label, allow, reply, op } of answers) {
      expectDocumented(label, op, reply);
      const served = METHODS.filter((m) => doc.paths[label.split(" ")[1]!][m]).map((m) => m.toUpperCase());
      expect(allow?.split(/,\s*/).sort(), label).toEqual(served.sort());
    }
  });

  // Their route files export the other methods too (methodNotAllowed), so Next.js's own empty 405 never answers.
  it("answers the documented 405 on Auth.js's routes and the pages too", async () => {
    const others = Object.keys(doc.paths).filter((p) => !tablePaths().includes(p) && p !== "/cart/recover");
    for (const { label, reply, op } of await unservedMethods(others)) expectDocumented(label, op, reply);
  });
});

describe("the document against docs/api.md", () => {
  const contract = readFileSync(path.join(process.cwd(), "docs", "api.md"), "utf8");
  const ROUTE = /`(?:(GET|POST|PUT|PATCH|DELETE)`,\s*`)?(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)/g;
  const STATUS_CODE = /\b([1-5]\d\d) ([A-Z][A-Z_]{2,})\b/g;

  function routesIn(text: string): string[] {
    return [...text.matchAll(ROUTE)].flatMap((m) => [m[1], m[2]].filter(Boolean).map((method) => `${method!.toLowerCase()} ${m[3]}`));
  }

  // The codes a body carries: its `error`'s code, or each member's of a union of codes.
  function codesOf(schema: any): string[] {
    const error = resolve(resolve(schema)?.properties?.error);
    return (error?.oneOf ?? [error]).flatMap((member: any) => {
      const code = resolve(resolve(member)?.properties?.code);
      return code?.enum ?? (code?.const ? [code.const] : []);
    });
  }

  function documentedPairs(op: any): Set<string> {
    const pairs = new Set<string>();
    for (const [status, response] of Object.entries<any>(op.responses)) {
      for (const code of codesOf(resolve(response).content?.["application/json"]?.schema)) pairs.add(`${status} ${code}`);
    }
    return pairs;
  }

  it("lists every route and method the contract names", () => {
    const named = new Set(routesIn(contract));
    expect(named.size).toBeGreaterThanOrEqual(15);
    const documented = new Set(operations().map(({ path: p, method }) => `${method} ${p}`));
    expect([...named].filter((route) => !documented.has(route))).toEqual([]);
  });

  it("lists, on each route, the statuses and error codes the contract's tables name for it", () => {
    const rows = contract.split("\n").filter((line) => line.startsWith("| `"));
    let checked = 0;
    for (const row of rows) {
      const routes = routesIn(row.split("|")[1] ?? "");
      const pairs = [...row.matchAll(STATUS_CODE)].map((m) => `${m[1]} ${m[2]}`);
      // "rather than `429`" names a status the route does not answer.
      const statuses = [...row.matchAll(/(?<!rather than )`([1-5]\d\d)\b/g)].map((m) => m[1]!);
      for (const route of routes) {
        const [method, p] = route.split(" ") as [Method, string];
        const op = doc.paths[p]?.[method];
        expect(op, route).toBeDefined();
        const documented = documentedPairs(op);
        expect(pairs.filter((pair) => !documented.has(pair)), route).toEqual([]);
        expect(statuses.filter((status) => !op.responses[status]), route).toEqual([]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it("carries every error code the contract names, with the status it names", () => {
    const named = new Set([...contract.matchAll(STATUS_CODE)].map((m) => `${m[1]} ${m[2]}`));
    // The one error written as a body: `412 {"error": {"code": "VERSION_CONFLICT"}, ...}`.
    for (const m of contract.matchAll(/\b([1-5]\d\d) \{"error": \{"code": "([A-Z_]+)"/g)) named.add(`${m[1]} ${m[2]}`);
    expect(named.size).toBeGreaterThanOrEqual(15);
    const documented = new Set(operations().flatMap(({ op }) => [...documentedPairs(op)]));
    expect([...named].filter((pair) => !documented.has(pair))).toEqual([]);
  });

  it("documents the contract's headers and error body", () => {
    const parameters = new Set(operations().flatMap(({ op }) => (op.parameters ?? []).map((param: any) => `${param.in} ${param.name}`)));
    expect(parameters).toContain("header Idempotency-Key");
    expect(parameters).toContain("header If-Match");
    const responseHeaders = new Set(operations().flatMap(({ op }) => Object.values<any>(op.responses).flatMap((r) => Object.keys(resolve(r).headers ?? {}))));
    for (const name of ["ETag", "Retry-After", "X-Request-Id", "Idempotent-Replayed", "Cache-Control"]) expect(responseHeaders).toContain(name);
    // Every error body is {"error": {"code", "message", "details"?}}, one component per code.
    const bodies = operations().flatMap(({ op }) =>
      Object.entries<any>(op.responses)
        .filter(([status]) => /^[45]/.test(status))
        .map(([, response]) => resolve(response).content?.["application/json"]?.schema)
        .filter((schema) => schema && !resolve(schema).properties?.cart && resolve(schema).properties?.error),
    );
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) {
      expect(resolve(body).required).toEqual(["error"]);
      const error = resolve(resolve(body).properties.error);
      for (const member of (error.oneOf ?? [error]).map(resolve)) {
        expect(member.required.slice(0, 2)).toEqual(["code", "message"]);
        expect(Object.keys(member.properties).filter((key) => !["code", "message", "details"].includes(key))).toEqual([]);
      }
    }
  });
});

describe("the reference page at /docs/api", () => {
  it("is HTML that loads only same-origin scripts, under a policy that allows nothing else", async () => {
    const res = await fetch(`${app.url}/docs/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).toMatch(/default-src 'none'/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    const sources = scripts.flatMap((attributes) => [...attributes.matchAll(/\bsrc="([^"]+)"/g)].map((m) => m[1]!));
    expect(sources.length).toBe(1);
    for (const src of sources) expect(new URL(src, app.url).origin).toBe(new URL(app.url).origin);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(html).toContain("/api/openapi.json");
    const bundle = await fetch(new URL(sources[0]!, app.url));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });
});
