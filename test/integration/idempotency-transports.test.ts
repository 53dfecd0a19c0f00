import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type ActionAnswer, type InProcessApp } from "../support/in-process-app";
import { Shopper, type Reply } from "../support/shopper";

/**
 * The HTTP API and the server actions keep the same outcomes for the same
 * keyed requests (one transport core, lib/http/once.ts): a refusal is kept
 * with its own status and code, a 503 is not kept, a replay of a success
 * answers the cart stored with it (not the cart as it is now), and a key
 * whose outcome expired is treated as new. Each case runs through both
 * transports against one table of expectations. The demo's instance runs in
 * this process (test/support/in-process-app.ts): the API through its route
 * handlers, the actions as Next.js calls the demo's (app/actions/cart.ts) for
 * the cart provider with JavaScript, in the request's scope. Next.js's own
 * action transport over HTTP is the e2e specs' (a browser with and without
 * JavaScript, double-submit.spec.ts) and logs.test.ts's.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const UNKNOWN = "sku-does-not-exist";
const key = () => `key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const qty = (cart: any, id: string) => cart.items.find((i: any) => i.productId === id)?.quantity ?? 0;

/** What a keyed add answered, in terms both transports share. */
interface Answer {
  ok: boolean;
  code?: string;
  cart?: any;
  /** Only the API says so in a header; for actions the stored row shows it. */
  replayed?: boolean;
  /** The HTTP status (API) or the status the outcome would have (action, from the code). */
  status?: number;
  retryAfter?: string | null;
}

interface Transport {
  name: string;
  add(app: InProcessApp, s: Shopper, productId: string, quantity: number, idempotencyKey: string): Promise<Answer>;
  setQuantity(app: InProcessApp, s: Shopper, productId: string, quantity: number, idempotencyKey: string): Promise<Answer>;
}

function fromApi(r: Reply<any>): Answer {
  return {
    ok: r.status === 200,
    code: r.body?.error?.code,
    cart: r.status === 200 ? r.body : undefined,
    replayed: r.headers.get("idempotent-replayed") === "true",
    status: r.status,
    retryAfter: r.headers.get("retry-after"),
  };
}

function fromAction({ status, result }: ActionAnswer): Answer {
  expect(status).toBe(200);
  return result.ok ? { ok: true, cart: result.cart } : { ok: false, code: result.error.code, cart: result.cart };
}

const transports: Transport[] = [
  {
    name: "HTTP API",
    add: async (_app, s, productId, quantity, k) => fromApi(await s.add(productId, quantity, { "idempotency-key": k })),
    setQuantity: async (_app, s, productId, quantity, k) => fromApi(await s.setQuantity(productId, quantity, { "idempotency-key": k })),
  },
  {
    name: "server action",
    add: async (app, s, productId, quantity, k) =>
      fromAction(await app.action(s, "add", { productId, quantity: String(quantity), idempotencyKey: k }, { js: true })),
    setQuantity: async (app, s, productId, quantity, k) =>
      fromAction(await app.action(s, "setQuantity", { productId, quantity: String(quantity), idempotencyKey: k }, { js: true })),
  },
];

/** Refusals both transports must keep, with their own status and code. */
const keptRefusals = [
  {
    name: "an unknown product",
    // A shopper with a cookie: a refusal sets none, so only a cookie can bring the retry to its scope.
    setup: async (s: Shopper) => {
      expect((await s.getCart()).status).toBe(200);
    },
    request: { op: "add", productId: UNKNOWN, quantity: 1 },
    // Nothing a shopper does in between can make it succeed; the retry must still be the stored answer.
    between: async () => {},
    stored: { status: 422, code: "PRODUCT_NOT_FOUND" },
  },
  {
    name: "a line over the per-line maximum",
    setup: async (s: Shopper) => {
      expect((await s.add(TEE, 98)).status).toBe(200);
    },
    request: { op: "add", productId: TEE, quantity: 2 },
    // Would now fit: a retry that ran again would add.
    between: async (s: Shopper) => {
      expect((await s.setQuantity(TEE, 1)).status).toBe(200);
    },
    stored: { status: 422, code: "QUANTITY_LIMIT" },
  },
  {
    name: "a change to a line the cart does not have",
    setup: async (s: Shopper) => {
      expect((await s.add(MUG, 1)).status).toBe(200);
    },
    request: { op: "setQuantity", productId: TEE, quantity: 3 },
    // Now the line exists: a retry that ran again would set it.
    between: async (s: Shopper) => {
      expect((await s.add(TEE, 1)).status).toBe(200);
    },
    stored: { status: 404, code: "ITEM_NOT_FOUND" },
  },
] as const;

describe.each(transports)("keyed outcomes through the $name", (transport) => {
  let backend: Backend;
  let app: InProcessApp;
  let sql: postgres.Sql;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", `idem_${transport.name.replace(/\W/g, "_")}`);
    // A short lock timeout, so a change that waits on a held row lock fails fast with 503.
    app = await startInProcessApp({ ...backend.env, DATABASE_TIMEOUT_MS: "1000" });
    sql = postgres(backend.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await app?.stop();
    await backend?.cleanup();
  });

  const storedRow = async (k: string) => (await sql`select status, body from cart_idempotency_keys where key = ${k}`)[0];

  for (const refusal of keptRefusals) {
    it(`keeps ${refusal.name} with its own status and code, and replays it`, async () => {
      const s = new Shopper(app.url, app.fetch);
      await refusal.setup(s);
      const k = key();
      const send = () => transport[refusal.request.op](app, s, refusal.request.productId, refusal.request.quantity, k);
      const first = await send();
      expect(first).toMatchObject({ ok: false, code: refusal.stored.code });
      if (first.status !== undefined) expect(first.status).toBe(refusal.stored.status);
      const row = await storedRow(k);
      expect(row).toMatchObject({ status: refusal.stored.status, body: { error: { code: refusal.stored.code } } });

      await refusal.between(s);
      const middle = (await s.getCart()).body;
      const retry = await send();
      expect(retry).toMatchObject({ ok: false, code: refusal.stored.code });
      if (retry.replayed !== undefined) expect(retry.replayed).toBe(true);
      // The refusal was replayed, not run again: the cart is as the shopper left it.
      expect((await s.getCart()).body.version).toBe(middle.version);
    });
  }

  it("does not keep a 503 (database lock timeout mid-change): the retry after recovery applies once", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(MUG, 1)).status).toBe(200);
    const k = key();
    // Hold every cart's row lock from outside, as a stuck writer would.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`select id from cart_carts for update`;
      locked();
      await released;
    });
    await isLocked;
    let failed: Answer;
    try {
      failed = await transport.add(app, s, TEE, 1, k);
    } finally {
      release();
      await holder;
    }
    expect(failed).toMatchObject({ ok: false, code: "SERVICE_UNAVAILABLE" });
    if (failed.status !== undefined) {
      expect(failed.status).toBe(503);
      expect(failed.retryAfter).toMatch(/^\d+$/);
    }
    expect(await storedRow(k)).toBeUndefined();

    const retry = await transport.add(app, s, TEE, 1, k);
    expect(retry.ok).toBe(true);
    expect(qty(retry.cart, TEE)).toBe(1);
    expect(await storedRow(k)).toMatchObject({ status: 200 });
    const again = await transport.add(app, s, TEE, 1, k);
    expect(again.cart).toEqual(retry.cart);
    expect(qty((await s.getCart()).body, TEE)).toBe(1);
  });

  it("replays a success with the cart stored with it, even after the cart changed since", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await transport.add(app, s, TEE, 2, k);
    expect(first.ok).toBe(true);
    expect(first.replayed ?? false).toBe(false);
    expect((await s.add(MUG, 1)).status).toBe(200);
    const retry = await transport.add(app, s, TEE, 2, k);
    expect(retry.ok).toBe(true);
    if (retry.replayed !== undefined) expect(retry.replayed).toBe(true);
    expect(retry.cart).toEqual(first.cart);
    expect(qty(retry.cart, MUG)).toBe(0);
    const now = (await s.getCart()).body;
    expect(qty(now, TEE)).toBe(2);
    expect(qty(now, MUG)).toBe(1);
  });

  it("applies concurrent duplicates once; the others replay or answer IDEMPOTENCY_IN_PROGRESS", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(MUG, 1)).status).toBe(200);
    const k = key();
    const answers = await Promise.all(Array.from({ length: 8 }, () => transport.add(app, s, TEE, 1, k)));
    for (const a of answers) {
      if (a.ok) expect(qty(a.cart, TEE)).toBe(1);
      else expect(a.code).toBe("IDEMPOTENCY_IN_PROGRESS");
    }
    expect(answers.some((a) => a.ok)).toBe(true);
    expect(qty((await s.getCart()).body, TEE)).toBe(1);
  });

  it("refuses the same key for another request", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    expect((await transport.add(app, s, TEE, 1, k)).ok).toBe(true);
    const other = await transport.add(app, s, TEE, 3, k);
    expect(other).toMatchObject({ ok: false, code: "IDEMPOTENCY_KEY_REUSED" });
    if (other.status !== undefined) expect(other.status).toBe(422);
    expect(qty((await s.getCart()).body, TEE)).toBe(1);
  });

  it("treats a key whose outcome expired (not yet cleaned up) as new, never a 5xx, then replays the new outcome", async () => {
    const s = new Shopper(app.url, app.fetch);
    const k = key();
    const first = await transport.add(app, s, TEE, 1, k);
    expect(first.ok).toBe(true);
    await sql`update cart_idempotency_keys set created_at = now() - interval '25 hours' where key = ${k}`;

    const fresh = await transport.add(app, s, TEE, 1, k);
    expect(fresh.ok).toBe(true);
    if (fresh.status !== undefined) expect(fresh.status).toBe(200);
    expect(fresh.replayed ?? false).toBe(false);
    expect(qty(fresh.cart, TEE)).toBe(2);
    // The expired row was replaced by the new outcome.
    expect(await storedRow(k)).toMatchObject({ status: 200, body: { version: fresh.cart.version } });

    const retry = await transport.add(app, s, TEE, 1, k);
    expect(retry.ok).toBe(true);
    if (retry.replayed !== undefined) expect(retry.replayed).toBe(true);
    expect(retry.cart).toEqual(fresh.cart);
    expect(qty((await s.getCart()).body, TEE)).toBe(2);
  });

  it("treats an expired refusal as new too", async () => {
    const s = new Shopper(app.url, app.fetch);
    expect((await s.add(TEE, 98)).status).toBe(200);
    const k = key();
    expect(await transport.add(app, s, TEE, 2, k)).toMatchObject({ ok: false, code: "QUANTITY_LIMIT" });
    await sql`update cart_idempotency_keys set created_at = now() - interval '25 hours' where key = ${k}`;
    expect((await s.setQuantity(TEE, 1)).status).toBe(200);
    const fresh = await transport.add(app, s, TEE, 2, k);
    expect(fresh.ok).toBe(true);
    expect(qty(fresh.cart, TEE)).toBe(3);
    expect(await storedRow(k)).toMatchObject({ status: 200 });
  });
});
