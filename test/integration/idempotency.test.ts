import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { deleteRedisKeys } from "../support/services";
import { Shopper } from "../support/shopper";

/**
 * Exactly-once under retries: Idempotency-Key replays, refusals of reuse,
 * in-flight duplicates, duplicates without Redis, and a retry after the
 * answer was lost (the outcome was committed with the change). The demo's
 * instance runs in this process (test/support/in-process-app.ts); its
 * restart() is a new instance with no memory of the request, as a new process.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const key = () => `key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const qty = (cart: any, id: string) => cart.items.find((i: any) => i.productId === id)?.quantity ?? 0;

describe("Idempotency-Key on Postgres + Redis", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "idem");
    app = await startInProcessApp(backend.env);
  });
  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("replays a repeat with the stored answer and changes nothing", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(TEE, 2, { "idempotency-key": k });
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await s.add(TEE, 2, { "idempotency-key": k });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(qty((await s.getCart()).body, TEE)).toBe(2);
    // The same key works for every mutation route.
    const k2 = key();
    await s.setQuantity(TEE, 5, { "idempotency-key": k2 });
    await s.add(TEE, 1);
    const replayedPatch = await s.setQuantity(TEE, 5, { "idempotency-key": k2 });
    expect(replayedPatch.headers.get("idempotent-replayed")).toBe("true");
    expect(qty((await s.getCart()).body, TEE)).toBe(6);
  });

  it("refuses the same key with another body, method or path", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    await s.add(TEE, 1, { "idempotency-key": k });
    const otherBody = await s.add(TEE, 3, { "idempotency-key": k });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const otherRoute = await s.remove(TEE, { "idempotency-key": k });
    expect(otherRoute.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(qty((await s.getCart()).body, TEE)).toBe(1);
  });

  it("keeps the first outcome even when it was a refusal", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.add(TEE, 98);
    const k = key();
    const refused = await s.add(TEE, 2, { "idempotency-key": k });
    expect(refused.status).toBe(422);
    await s.setQuantity(TEE, 1);
    const replay = await s.add(TEE, 2, { "idempotency-key": k });
    expect(replay.status).toBe(422);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(qty((await s.getCart()).body, TEE)).toBe(1);
  });

  it("applies concurrent duplicates once; the others replay or answer 409", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.add(MUG, 1);
    const k = key();
    const replies = await Promise.all(Array.from({ length: 12 }, () => s.add(TEE, 1, { "idempotency-key": k })));
    for (const r of replies) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.error.code).toBe("IDEMPOTENCY_IN_PROGRESS");
    }
    expect(replies.some((r) => r.status === 200)).toBe(true);
    const cart = (await s.getCart()).body;
    expect(qty(cart, TEE)).toBe(1);
    expect(cart.version).toBe(2);
  });

  it("scopes keys to the cookie: another shopper's same key is another key", async () => {
    const k = key();
    const a = new Shopper(app.url, app.fetch);
    const b = new Shopper(app.url, app.fetch);
    await a.add(TEE, 1, { "idempotency-key": k });
    const other = await b.add(TEE, 1, { "idempotency-key": k });
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(qty((await b.getCart()).body, TEE)).toBe(1);
  });

  it("rejects a malformed key", async () => {
    const s = new Shopper(app.url, app.fetch);
    for (const bad of ["x".repeat(256), "caf\u00e9", "tab\there"]) {
      const res = await s.request("POST", "/api/cart/items", { json: { productId: TEE }, headers: { "idempotency-key": bad } });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    const empty = await s.request("POST", "/api/cart/items", { json: { productId: TEE }, headers: { "idempotency-key": "" } });
    expect(empty.status).toBe(422);
    expect((await s.getCart()).body.items).toEqual([]);
  });

  it("replays after the answer was lost: the outcome was committed with the change", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await s.add(MUG, 3, { "idempotency-key": k });
    expect(first.status).toBe(200);
    const sql = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const rows = await sql`select status, body from cart_idempotency_keys where key = ${k}`;
    await sql.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe(200);
    expect(rows[0]!.body.version).toBe(first.body.version);
    // A new process with no memory of the request, and no lease left in Redis.
    await deleteRedisKeys(`${backend.env.STORE_KEY_PREFIX}idem:*`);
    await app.restart();
    const retry = await s.add(MUG, 3, { "idempotency-key": k });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect(qty((await s.getCart()).body, MUG)).toBe(3);
  });
});

describe("Idempotency-Key with Redis unreachable", () => {
  let backend: Backend;
  let app: InProcessApp;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "idem_noredis");
    app = await startInProcessApp({ ...backend.env, REDIS_URL: "redis://127.0.0.1:1", STORE_TIMEOUT_MS: "50" });
  });
  afterAll(async () => {
    await app?.stop();
    await backend?.cleanup();
  });

  it("still applies concurrent duplicates exactly once (Postgres's primary key decides)", async () => {
    const s = new Shopper(app.url, app.fetch);
    await s.add(MUG, 1);
    const k = key();
    const replies = await Promise.all(Array.from({ length: 10 }, () => s.add(TEE, 2, { "idempotency-key": k })));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.body.version)).size).toBe(1);
    expect(replies.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(qty((await s.getCart()).body, TEE)).toBe(2);
  });

  it("applies concurrent duplicates of a key whose outcome expired exactly once (one of them replaces the row)", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    expect((await s.add(TEE, 2, { "idempotency-key": k })).status).toBe(200);
    const sql = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await sql`update cart_idempotency_keys set created_at = now() - interval '25 hours' where key = ${k}`;
    await sql.end();
    const replies = await Promise.all(Array.from({ length: 10 }, () => s.add(TEE, 2, { "idempotency-key": k })));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.body.version)).size).toBe(1);
    expect(replies.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(qty((await s.getCart()).body, TEE)).toBe(4);
  });
});
