import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addItemSchema, productIdSchema } from "@/lib/cart/schemas";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { ClientRefused, RawClient, type RawReply, type RawRequest } from "../support/raw-http";
import { Shopper } from "../support/shopper";

/**
 * Thousands of malformed requests to every route of the contract, from a
 * seeded generator (FUZZ_SEED=<n> replays a run). Every request is invalid
 * by construction for the fuzzing shopper's own cart (a bad body, type,
 * origin, If-Match, path or method), or carries a forged cookie. Nothing
 * may answer 5xx, every error has the contract's shape and no internals,
 * and both the fuzzing shopper's cart and a victim's cart are byte for
 * byte what they were. That part keeps a real `next start`: its requests are
 * raw HTTP (bad methods, lengths, encodings, paths and headers that only an
 * HTTP server and Next.js's own handling see). The model check is the
 * module's alone and runs against the demo's instance in this process
 * (test/support/in-process-app.ts), on the same database and Redis.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const FUZZ_REQUESTS = 2500;
const FUZZ_DEADLINE_MS = 50_000;
const IN_FLIGHT = 8;

const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const HOODIE = "sku-hoodie-grey-m";
const COOKIE = "__Host-cart_session";
const MAX_LINES = 4;
const MAX_QUANTITY = 7;

const STACK_TRACE = /\n\s+at \S+ \(|node_modules[\\/]|\.tsx?:\d+:\d+|\bselect .+ from\b|\binsert into\b/i;

interface FuzzCase {
  label: string;
  req: RawRequest;
  /** The statuses this case may get; any non-5xx when absent. */
  expect?: number[];
  /** Uses a forged cookie: may act on a fresh guest cart of its own. */
  forgedCookie?: boolean;
}

describe("fuzzing the HTTP API (Postgres + Redis)", () => {
  let backend: Backend;
  let app: AppServer;
  let here: InProcessApp;
  let raw: RawClient;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "fuzz");
    const env = { ...backend.env, CART_MAX_LINES: String(MAX_LINES), CART_MAX_QUANTITY: String(MAX_QUANTITY) };
    [app, here] = await Promise.all([startApp(env), startInProcessApp(env)]);
    raw = new RawClient(app.url, IN_FLIGHT);
  });

  afterAll(async () => {
    raw?.close();
    await app?.stop();
    await here?.stop();
    await backend?.cleanup();
  });

  it(`answers ${FUZZ_REQUESTS} malformed requests without a 5xx, in the contract's shape, changing no cart`, async () => {
    const catalogIds = new Set<string>(((await new Shopper(app.url).request("GET", "/api/products")).body.products as { id: string }[]).map((p) => p.id));

    const victim = new Shopper(app.url);
    expect((await victim.add(TEE, 2)).status).toBe(200);
    expect((await victim.add(MUG, 1)).status).toBe(200);
    const victimBefore = await victim.request("GET", "/api/cart");
    const victimCartId: string = victimBefore.body.id;
    const victimCookie = victim.cookies.get(COOKIE)!;
    expect(victimCookie).toMatch(/^Fe26\.2\*/);

    const fuzzer = new Shopper(app.url);
    expect((await fuzzer.add(HOODIE, 3)).status).toBe(200);
    const fuzzerCookie = fuzzer.cookies.get(COOKIE)!;
    const fuzzerBefore = await fuzzer.request("GET", "/api/cart");
    const fuzzerVersion = fuzzerBefore.body.version as number;
    const textOf = async (s: Shopper) => {
      const reply = await raw.send({ method: "GET", path: "/api/cart", headers: { cookie: s.cookieHeader() } });
      return reply.text;
    };
    const victimText = await textOf(victim);
    const fuzzerText = await textOf(fuzzer);

    const cases = fc.sample(fuzzCaseArb({ catalogIds, fuzzerCookie, victimCookie, victimCartId, fuzzerVersion, ownOrigin: app.url }), { seed: SEED, numRuns: FUZZ_REQUESTS });

    const problems: string[] = [];
    const statusCounts: Record<string, number> = {};
    let sent = 0;
    let refusedByClient = 0;
    const deadline = Date.now() + FUZZ_DEADLINE_MS;
    let next = 0;

    const check = (c: FuzzCase, reply: RawReply) => {
      statusCounts[`${c.label} ${reply.status}`] = (statusCounts[`${c.label} ${reply.status}`] ?? 0) + 1;
      const where = `${c.label}: ${c.req.method} ${c.req.path.slice(0, 80)}${c.forgedCookie ? ` (${String(c.req.headers?.cookie).slice(0, 60)}…${String(c.req.headers?.cookie).slice(-20)})` : ""} -> ${reply.status}`;
      if (reply.status >= 500) problems.push(`${where} ${reply.text.slice(0, 200)}`);
      if (c.expect && !c.expect.includes(reply.status)) problems.push(`${where}, expected one of ${c.expect.join(",")}: ${reply.text.slice(0, 200)}`);
      if (STACK_TRACE.test(reply.text)) problems.push(`${where}: internals in the body: ${reply.text.slice(0, 300)}`);
      if (reply.text.includes(victimCartId)) problems.push(`${where}: the victim's cart id in the answer`);
      const isJson = String(reply.headers["content-type"] ?? "").includes("application/json");
      if (reply.status >= 400 && isJson) {
        let body: any;
        try {
          body = JSON.parse(reply.text);
        } catch {
          problems.push(`${where}: a JSON error that does not parse`);
          return;
        }
        const keys = Object.keys(body).sort().join(",");
        const shapeOk =
          (keys === "error" || (reply.status === 412 && keys === "cart,error")) &&
          typeof body.error?.code === "string" &&
          /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(body.error.code) &&
          typeof body.error.message === "string" &&
          Object.keys(body.error).every((k) => ["code", "message", "details"].includes(k));
        if (!shapeOk) problems.push(`${where}: not the contract's error shape: ${reply.text.slice(0, 200)}`);
        if (reply.status === 429 && !reply.headers["retry-after"]) problems.push(`${where}: 429 without Retry-After`);
      } else if (reply.status >= 400 && reply.status !== 404 && reply.status !== 405 && reply.status !== 400 && reply.status !== 431) {
        // Our routes answer errors in JSON; only the framework's own 400/404/405/431 may not.
        problems.push(`${where}: a non-JSON error from a route: ${reply.text.slice(0, 120)}`);
      }
    };

    const worker = async () => {
      while (next < cases.length && Date.now() < deadline) {
        const c = cases[next++]!;
        try {
          check(c, await raw.send(c.req));
          sent += 1;
        } catch (err) {
          if (err instanceof ClientRefused) refusedByClient += 1;
          else problems.push(`${c.label}: ${c.req.method} ${c.req.path.slice(0, 80)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    expect(problems.slice(0, 25)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect(refusedByClient).toBeLessThan(sent / 10);
    // Every kind of case was sent.
    const labels = new Set(Object.keys(statusCounts).map((k) => k.split(" ")[0]));
    expect([...labels].sort()).toEqual(["badBody", "badContentType", "badIfMatch", "badMethod", "badPatchBody", "badPath", "foreignOrigin", "forgedCookie", "junkHeaders"]);

    expect(await textOf(victim)).toBe(victimText);
    expect(await textOf(fuzzer)).toBe(fuzzerText);
    expect(JSON.parse(victimText)).toEqual(victimBefore.body);
    expect(JSON.parse(fuzzerText)).toEqual(fuzzerBefore.body);
    const health = await new Shopper(app.url).request("GET", "/api/health");
    expect(health.body.status).toBe("ok");
    expect(app.output()).not.toMatch(/unhandled error/);
  });

  it("agrees with a reference model over random sequences of valid and invalid operations (fast-check)", async () => {
    const products = [TEE, MUG, HOODIE, "sku-tote-natural", "sku-cap-black", "sku-beanie-rust"];
    const unknown = "sku-does-not-exist";
    const retired = "sku-scarf-plaid";
    type Op =
      | { kind: "add"; productId: string; quantity: unknown }
      | { kind: "set"; productId: string; quantity: unknown }
      | { kind: "remove"; productId: string }
      | { kind: "clear" };
    const idArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...products) }, fc.constantFrom(unknown, retired, "bad id", "%00", ".hidden"));
    const quantityArb = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: MAX_QUANTITY + 2 }) },
      fc.constantFrom<unknown>(-1, 1.5, "2", null, 1e20, undefined),
    );
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant("add" as const), productId: idArb, quantity: quantityArb }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), productId: idArb, quantity: quantityArb }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), productId: idArb }) },
      { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
    );

    const isQuantity = (q: unknown, min: number) => typeof q === "number" && Number.isInteger(q) && q >= min && q <= 1_000_000;
    const validId = (id: string) => productIdSchema.safeParse(id).success;

    /** The contract as a model: the expected status and error code, and the next state. */
    function expected(state: Map<string, number>, op: Op): { status: number; code?: string; next?: Map<string, number> } {
      const next = new Map(state);
      switch (op.kind) {
        case "add": {
          const quantity = op.quantity === undefined ? 1 : op.quantity;
          if (!validId(op.productId) || !isQuantity(quantity, 1)) return { status: 422, code: "VALIDATION_ERROR" };
          if (op.productId === unknown) return { status: 422, code: "PRODUCT_NOT_FOUND" };
          if (op.productId === retired) return { status: 422, code: "PRODUCT_UNAVAILABLE" };
          const total = (state.get(op.productId) ?? 0) + (quantity as number);
          if (total > MAX_QUANTITY) return { status: 422, code: "QUANTITY_LIMIT" };
          if (!state.has(op.productId) && state.size >= MAX_LINES) return { status: 422, code: "LINE_LIMIT" };
          next.set(op.productId, total);
          return { status: 200, next };
        }
        case "set": {
          if (!validId(op.productId) || !isQuantity(op.quantity, 0)) return { status: 422, code: "VALIDATION_ERROR" };
          if (!state.has(op.productId)) return { status: 404, code: "ITEM_NOT_FOUND" };
          if (op.quantity === 0) next.delete(op.productId);
          else if ((op.quantity as number) > MAX_QUANTITY) return { status: 422, code: "QUANTITY_LIMIT" };
          else next.set(op.productId, op.quantity as number);
          return { status: 200, next };
        }
        case "remove":
          if (!validId(op.productId)) return { status: 422, code: "VALIDATION_ERROR" };
          next.delete(op.productId);
          return { status: 200, next };
        case "clear":
          return { status: 200, next: new Map() };
      }
    }

    const send = (s: Shopper, op: Op) => {
      const path = `/api/cart/items/${encodeURIComponent(op.kind === "clear" ? "" : op.productId)}`;
      switch (op.kind) {
        case "add":
          return s.request("POST", "/api/cart/items", { json: op.quantity === undefined ? { productId: op.productId } : { productId: op.productId, quantity: op.quantity } });
        case "set":
          return s.request("PATCH", path, { json: op.quantity === undefined ? {} : { quantity: op.quantity } });
        case "remove":
          return s.request("DELETE", path);
        case "clear":
          return s.request("DELETE", "/api/cart");
      }
    };

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        const s = new Shopper(here.url, here.fetch);
        let model = new Map<string, number>();
        let version = 0;
        for (const [step, op] of ops.entries()) {
          const want = expected(model, op);
          const reply = await send(s, op);
          const where = `step ${step} ${JSON.stringify(op)}`;
          expect(reply.status, `${where}: ${JSON.stringify(reply.body)}`).toBe(want.status);
          if (want.code) expect(reply.body.error.code, where).toBe(want.code);
          const cart = reply.status === 200 ? reply.body : (await s.getCart()).body;
          if (want.next) {
            const changed = JSON.stringify([...want.next]) !== JSON.stringify([...model]);
            if (changed) version += 1;
            model = want.next;
          }
          expect(cart.items.map((i: any) => [i.productId, i.quantity]), where).toEqual([...model]);
          expect(cart.version, where).toBe(version);
          expect(cart.itemCount, where).toBe([...model.values()].reduce((a, b) => a + b, 0));
        }
      }),
      { numRuns: 25, seed: SEED },
    );
  });
});

// ---------------------------------------------------------------- generators

interface Context {
  catalogIds: Set<string>;
  fuzzerCookie: string;
  victimCookie: string;
  victimCartId: string;
  fuzzerVersion: number;
  ownOrigin: string;
}

const JSON_TYPES = ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8", " application/json "];
const NOT_JSON_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/json-seq", "json", "text/json", "application/ld+json", "application/json5", "*/*", ""];

/** An explicit Content-Length (else the body goes chunked, with no declared length). */
function lengthOf(body: string | Uint8Array, withLength: boolean): Record<string, string> {
  return withLength ? { "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength) } : {};
}

/** Whether the app would take this If-Match as the fuzzer's current version (or "*"). */
function acceptedIfMatch(tag: string, version: number): boolean {
  const t = tag.trim();
  if (t === "*") return true;
  const m = /^"(\d{1,9})"$/.exec(t);
  return m !== null && Number(m[1]) === version;
}

/** True when `text` is a body the add route would accept for a real product (such a case is not invalid). */
function validAddBody(text: string, ctx: Context): boolean {
  try {
    const parsed = addItemSchema.safeParse(JSON.parse(text));
    return parsed.success && ctx.catalogIds.has(parsed.data.productId);
  } catch {
    return false;
  }
}

const pieces = ["%00", "%2F", "%2f", "%2e%2e", "..", "%zz", "%", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%FF", "%u0000", "~", "!", "$", "'", "(", ";", "=", "@", ":", "%20", "+", "%0A", "%0D%0A"];

function bodyArb(ctx: Context): fc.Arbitrary<{ kind: string; body: string | Uint8Array }> {
  const text = (kind: string, arb: fc.Arbitrary<string>) => arb.map((body) => ({ kind, body }));
  const huge = ["1e400", "-1e400", "1e308", "9007199254740993", "-0", "0", "1e-400", "12345678901234567890", "0x10", "1_000", "NaN", "Infinity", "-Infinity", "+1", "01", "1.0e1000", "2.5", "-5"];
  return fc.oneof(
    text("json", fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null")),
    text("wrongType", fc.record({ productId: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })) }).map((v) => JSON.stringify(v))),
    text("wrongQuantity", fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })).map((q) => JSON.stringify({ productId: TEE, quantity: q }))),
    text("hugeNumber", fc.constantFrom(...huge).map((n) => `{"productId":"${TEE}","quantity":${n}}`)),
    text("deep", fc.tuple(fc.constantFrom(100, 1000, 5000), fc.boolean()).map(([d, arr]) => (arr ? "[".repeat(d) + "]".repeat(d) : '{"a":'.repeat(d) + "1" + "}".repeat(d)))),
    text(
      "proto",
      fc.constantFrom(
        `{"productId":"${TEE}","__proto__":{"quantity":5}}`,
        `{"__proto__":{"productId":"${TEE}"}}`,
        `{"constructor":{"prototype":{"quantity":5}},"productId":"${TEE}"}`,
        `{"productId":"${TEE}","quantity":1,"__proto__":null}`,
        `{"productId":"${TEE}","prototype":1}`,
        `{"productId":"__proto__"}`,
        `{"productId":"constructor","quantity":1}`,
      ),
    ),
    fc.constantFrom(
      { kind: "invalidUtf8", body: Buffer.concat([Buffer.from('{"productId":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) as Uint8Array },
      { kind: "invalidUtf8", body: Buffer.concat([Buffer.from('{"productId":"sku-'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]) as Uint8Array },
      { kind: "invalidUtf8", body: Buffer.from([0xc0, 0xaf, 0x7b, 0x7d]) as Uint8Array },
    ),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ kind: "bytes", body: b })),
    text("nul", fc.constantFrom(`{"productId":"sku\\u0000x"}`, `{"productId":"sku\u0000x"}`, "\u0000", `{"productId":"${TEE}"}\u0000`, `{"productId":"${TEE}\\u0000"}`)),
    text("surrogate", fc.constantFrom(`{"productId":"\\ud800"}`, `{"productId":"sku-\\udfff-x"}`, `{"productId":"${TEE}\\ud83d"}`, `{"productId":"\ud800"}`)),
    text("oversized", fc.integer({ min: 16 * 1024 - 20, max: 40 * 1024 }).map((n) => JSON.stringify({ productId: TEE, pad: "x".repeat(n) }))),
    text("text", fc.string({ unit: "binary", maxLength: 80 })),
    text("empty", fc.constantFrom("", " ", "\n", "null", "[]", "{}", '""', "true", "1")),
  ).filter((b) => typeof b.body !== "string" || !validAddBody(b.body, ctx));
}

function fuzzCaseArb(ctx: Context): fc.Arbitrary<FuzzCase> {
  const own = (headers: Record<string, string> = {}) => ({ cookie: `${COOKIE}=${ctx.fuzzerCookie}`, ...headers });
  const validAdd = JSON.stringify({ productId: TEE, quantity: 1 });

  const badBody = fc.tuple(bodyArb(ctx), fc.constantFrom(...JSON_TYPES), fc.boolean()).map(([b, type, withLength]): FuzzCase => ({
    label: "badBody",
    req: { method: "POST", path: "/api/cart/items", headers: own({ "content-type": type, ...lengthOf(b.body, withLength) }), body: b.body },
    expect: b.kind === "oversized" ? [413] : [400, 413, 422],
  }));

  const badPatchBody = fc.tuple(bodyArb(ctx), fc.constantFrom(...JSON_TYPES), fc.boolean()).map(([b, type, withLength]): FuzzCase => ({
    // TEE is not in the fuzzer's cart: even a valid quantity finds no line.
    label: "badPatchBody",
    req: { method: "PATCH", path: `/api/cart/items/${TEE}`, headers: own({ "content-type": type, ...lengthOf(b.body, withLength) }), body: b.body },
    expect: b.kind === "oversized" ? [413] : [400, 404, 413, 422],
  }));

  const badContentType = fc
    .tuple(fc.oneof(fc.constantFrom<string | null>(...NOT_JSON_TYPES, null), fc.string({ maxLength: 30 })), fc.constantFrom("POST", "PATCH"))
    .filter(([type]) => type === null || type.split(";")[0]!.trim().toLowerCase() !== "application/json")
    .map(([type, method]): FuzzCase => {
      const headers: Record<string, string> = own();
      if (type !== null) headers["content-type"] = type;
      const path = method === "POST" ? "/api/cart/items" : `/api/cart/items/${HOODIE}`;
      return { label: "badContentType", req: { method, path, headers, body: method === "POST" ? validAdd : '{"quantity":1}' }, expect: [415] };
    });

  const mutations: RawRequest[] = [
    { method: "POST", path: "/api/cart/items", headers: { "content-type": "application/json" }, body: validAdd },
    { method: "PATCH", path: `/api/cart/items/${HOODIE}`, headers: { "content-type": "application/json" }, body: '{"quantity":1}' },
    { method: "DELETE", path: `/api/cart/items/${HOODIE}` },
    { method: "DELETE", path: "/api/cart" },
  ];
  const mutationArb = fc.constantFrom(...mutations);

  const foreignOrigin = fc
    .tuple(
      mutationArb,
      fc.oneof(
        fc.constantFrom("https://evil.example", "null", "http://127.0.0.1:1", "", "http://localhost", ctx.ownOrigin.replace("http:", "https:"), `${ctx.ownOrigin}.evil.example`, "file://"),
        fc.domain().map((d) => `https://${d}`),
      ),
      fc.boolean(),
    )
    .map(([m, origin, crossSite]): FuzzCase => ({
      label: "foreignOrigin",
      req: { ...m, headers: own({ ...m.headers, ...(crossSite ? { "sec-fetch-site": "cross-site" } : { origin }) }) },
      expect: [403],
    }));

  const badIfMatch = fc
    .tuple(mutationArb, fc.oneof(fc.constantFrom('"999999"', 'W/"1"', '"1", "2"', "", '"-1"', '"1e3"', "'1'", `"${ctx.fuzzerVersion + 1}"`, '"00000000001"'), fc.string({ maxLength: 20 })))
    .filter(([, tag]) => /^[\t\x20-\x7e]*$/.test(tag) && !acceptedIfMatch(tag, ctx.fuzzerVersion))
    .map(([m, tag]): FuzzCase => ({ label: "badIfMatch", req: { ...m, headers: own({ ...m.headers, "if-match": tag }) }, expect: [412] }));

  const junkId = fc.oneof(
    fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: "grapheme", maxLength: 6 }).map(encodeURIComponent)), { minLength: 1, maxLength: 8 }).map((p) => p.join("")),
    fc.integer({ min: 129, max: 12_000 }).map((n) => "a".repeat(n)),
    fc.constantFrom("%F0%9F%9B%92", "caf%C3%A9", "%EF%BC%85", "sku-tee-black-m%00", "sku-tee-black-m%2F..", "a%2Fb", "%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
  );
  const badPath = fc.tuple(junkId, fc.constantFrom("PATCH", "DELETE")).filter(([id]) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(id);
    } catch {
      return true;
    }
    return decoded !== HOODIE;
  }).map(([id, method]): FuzzCase => ({
    label: "badPath",
    req: {
      method,
      path: `/api/cart/items/${id}`,
      headers: method === "PATCH" ? own({ "content-type": "application/json" }) : own(),
      body: method === "PATCH" ? '{"quantity":1}' : undefined,
    },
  }));

  const allowed = new Set(["GET /api/cart", "DELETE /api/cart", "POST /api/cart/items", "PATCH /api/cart/items/x", "DELETE /api/cart/items/x", "GET /api/session", "DELETE /api/session", "GET /api/products", "GET /api/health"]);
  const badMethod = fc
    .tuple(fc.constantFrom("PUT", "POST", "PATCH", "DELETE", "GET", "TRACE", "PROPFIND", "FOO", "M-SEARCH"), fc.constantFrom("/api/cart", "/api/cart/items", "/api/cart/items/x", "/api/session", "/api/products", "/api/health"))
    .filter(([method, path]) => !allowed.has(`${method} ${path}`))
    .map(([method, path]): FuzzCase => ({
      label: "badMethod",
      req: { method, path, headers: own({ "content-type": "application/json" }), body: method === "GET" ? undefined : validAdd },
      expect: [400, 404, 405, 501],
    }));

  // Reads (and mutations made invalid by an origin) with junk headers, queries and override attempts.
  const junkHeaders = fc
    .tuple(
      fc.constantFrom("/api/cart", `/api/cart?cartId=${ctx.victimCartId}`, "/api/session", "/api/products", "/api/health", "/api/cart?id=1&version=0", "/api/cart?__proto__[x]=1"),
      fc.dictionary(
        fc.constantFrom("x-middleware-subrequest", "x-http-method-override", "x-method-override", "x-forwarded-proto", "accept", "accept-encoding", "if-none-match", "range", "x-real-ip", "x-forwarded-for", "x-invoke-path", "x-nextjs-data", "rsc", "next-router-state-tree", "x-now-route-matches", "next-action"),
        fc.oneof(fc.constantFrom("DELETE", "middleware:middleware:middleware:middleware:middleware", "src/middleware", "1", "bytes=0-1", "*/*", "text/html", "gzip, br", "%00", "[]"), fc.string({ maxLength: 20 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s))),
        { maxKeys: 4 },
      ),
    )
    .map(([path, headers]): FuzzCase => ({ label: "junkHeaders", req: { method: "GET", path, headers: own(headers) } }));

  const forgedValue = fc.oneof(
    fc.string({ maxLength: 200 }).filter((s) => /^[\x21-\x7e]*$/.test(s) && !s.includes(";")),
    fc.integer({ min: 1, max: ctx.victimCookie.length - 1 }).map((n) => ctx.victimCookie.slice(0, n)),
    fc.tuple(fc.integer({ min: 0, max: ctx.victimCookie.length - 1 }), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*~.")).map(([i, ch]) => ctx.victimCookie.slice(0, i) + ch + ctx.victimCookie.slice(i + 1)).filter((v) => v !== ctx.victimCookie),
    fc.constantFrom(`x${ctx.victimCookie}`, `${ctx.victimCookie}x`, `${ctx.victimCookie}0`, `${ctx.victimCookie.slice(0, -2)}~3`, ctx.victimCookie.replace(/^Fe26\.2\*[^*]*\*/, "Fe26.2*2*"), ctx.victimCookie.replace(/~2$/, "~1"), ctx.victimCookie.replace(/~2$/, ""), "Fe26.2**x*y*z*1*2*3~2", "Fe26.2*1*****~2", "x".repeat(5000)),
  );
  const forgedCookie = fc
    .tuple(forgedValue, fc.constantFrom<RawRequest>(...mutations, { method: "GET", path: "/api/cart" }, { method: "GET", path: "/api/session" }), fc.constantFrom(COOKIE, "cart_session"))
    .map(([value, m, name]): FuzzCase => ({
      label: "forgedCookie",
      req: { ...m, headers: { ...m.headers, cookie: `${name}=${value}` } },
      forgedCookie: true,
      expect: [200, 404, 413, 431],
    }));

  return fc.oneof(
    { weight: 4, arbitrary: badBody },
    { weight: 2, arbitrary: badPatchBody },
    { weight: 1, arbitrary: badContentType },
    { weight: 1, arbitrary: foreignOrigin },
    { weight: 1, arbitrary: badIfMatch },
    { weight: 2, arbitrary: badPath },
    { weight: 1, arbitrary: badMethod },
    { weight: 1, arbitrary: junkHeaders },
    { weight: 2, arbitrary: forgedCookie },
  );
}
