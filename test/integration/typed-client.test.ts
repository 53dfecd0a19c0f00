import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CartApiError, createCartClient, type CartClientOptions, type RetryInfo } from "@/lib/client";
import { prepareBackend, type Backend } from "../support/backends";
import { TestClock } from "../support/clock";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";

// The typed client (next-cart/client) against the demo's instance in this process
// (test/support/in-process-app.ts: the route handlers `next start` calls) on Postgres and
// Redis: every route, every error code the contract names that a client can provoke,
// idempotent retries and Retry-After. Rate limits are on, with small numbers, so 429 is real;
// every test uses its own sessions, so counts never mix. The limits' fixed minutes are read
// from the instance's clock, which a test moves instead of waiting for a window.

const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const HOODIE = "sku-hoodie-grey-m";
const OLIVE = "sku-tee-olive-l";
const RETIRED = "sku-scarf-plaid";
const WRITES_PER_MINUTE = 12;

let backend: Backend;
let app: InProcessApp;
const clock = new TestClock();

beforeAll(async () => {
  backend = await prepareBackend("postgres+redis", "typed_client");
  app = await startInProcessApp({
    ...backend.env,
    RATE_LIMIT_DISABLED: "",
    RATE_LIMIT_WRITES_PER_MINUTE: String(WRITES_PER_MINUTE),
    RATE_LIMIT_READS_PER_MINUTE: "200",
    CART_MAX_LINES: "3",
    CART_MAX_QUANTITY: "5",
    // A generous store timeout: a limit that fails open on a slow moment would make counts inexact.
    STORE_TIMEOUT_MS: "2000",
    // A short lock timeout, so a test holding the tables' locks gets its 503 quickly.
    DATABASE_TIMEOUT_MS: "1500",
  }, { now: clock.now });
});

afterAll(async () => {
  await app?.stop();
  await backend?.cleanup();
});

const client = (options: Partial<CartClientOptions> = {}) => createCartClient({ baseUrl: app.url, fetch: app.fetch, cookies: "jar", ...options });

async function failure(promise: Promise<unknown>): Promise<CartApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CartApiError);
  const apiError = err as CartApiError;
  expect(apiError.requestId).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
  expect(apiError.message.length).toBeGreaterThan(0);
  return apiError;
}

// A visitor without a cookie is not counted yet: the first read gives it one.
async function useUpWrites(shopper: ReturnType<typeof client>) {
  await shopper.getCart();
  for (let i = 0; i < WRITES_PER_MINUTE; i += 1) await shopper.clear();
}

const quantities = (cart: { items: { productId: string; quantity: number }[] }) => Object.fromEntries(cart.items.map((i) => [i.productId, i.quantity]));

describe("the typed client, route by route", () => {
  it("lists the catalog, including products no longer sold", async () => {
    const products = await client().listProducts();
    expect(products.find((p) => p.id === TEE)).toMatchObject({ id: TEE, price: expect.any(Number), currency: "USD", active: true });
    expect(products.find((p) => p.id === RETIRED)?.active).toBe(false);
  });

  it("reads, adds, sets, removes and clears, keeping the session in its cookie jar", async () => {
    const shopper = client();
    const empty = await shopper.getCart();
    expect(empty).toMatchObject({ id: null, version: 0, items: [], itemCount: 0, subtotal: 0 });
    expect(shopper.jar?.header()).toMatch(/cart_session=/);

    const added = await shopper.addItem({ productId: TEE, quantity: 2 });
    expect(added.version).toBe(1);
    expect(quantities(added)).toEqual({ [TEE]: 2 });
    const more = await shopper.addItem({ productId: MUG });
    expect(quantities(more)).toEqual({ [TEE]: 2, [MUG]: 1 });

    const set = await shopper.setQuantity(TEE, 4);
    expect(quantities(set)).toEqual({ [TEE]: 4, [MUG]: 1 });
    expect(set.subtotal).toBe(set.items.reduce((sum, i) => sum + i.lineTotal, 0));
    const removed = await shopper.removeItem(MUG);
    expect(quantities(removed)).toEqual({ [TEE]: 4 });
    const again = await shopper.removeItem(MUG);
    expect(again.version).toBe(removed.version);

    expect(quantities(await shopper.getCart())).toEqual({ [TEE]: 4 });
    expect(quantities(await client().getCart())).toEqual({});

    const cleared = await shopper.clear();
    expect(cleared.items).toEqual([]);
    expect(cleared.version).toBeGreaterThan(removed.version);
  });

  it("adds lines with properties, changes them by lineId, sets the note, and hands the cart to a checkout", async () => {
    const shopper = client();
    const engraved = await shopper.addItem({ productId: MUG, properties: { Engraving: "For Ada" } });
    const line = engraved.items[0]!;
    expect(line).toMatchObject({ productId: MUG, properties: { Engraving: "For Ada" }, lineId: expect.stringMatching(/^sku-mug-stoneware~/) });
    const set = await shopper.setLineQuantity(line.lineId, 2);
    expect(set.items[0]).toMatchObject({ lineId: line.lineId, quantity: 2 });
    expect((await shopper.setNote("Gift wrap")).note).toBe("Gift wrap");
    const invalid = await failure(shopper.addItem({ productId: MUG, properties: { ["k".repeat(41)]: "v" } }));
    expect(invalid).toMatchObject({ status: 422, code: "VALIDATION_ERROR" });

    const { checkout, notices } = await shopper.createCheckout();
    expect(notices).toEqual([]);
    expect(checkout).toMatchObject({ status: "open", cartVersion: 3, note: "Gift wrap", itemCount: 2, lines: [{ lineId: line.lineId, quantity: 2, properties: { Engraving: "For Ada" } }] });
    expect(await shopper.getCheckout()).toEqual(checkout);
    expect(await shopper.cancelCheckout()).toMatchObject({ id: checkout.id, status: "cancelled" });
    expect((await app.cart.checkouts.get(checkout.id)).status).toBe("cancelled");

    const removed = await shopper.removeLine(line.lineId);
    expect(removed).toMatchObject({ items: [], note: "Gift wrap" });
    expect((await shopper.setNote(null)).note).toBeNull();
    const empty = await failure(shopper.createCheckout());
    expect(empty).toMatchObject({ status: 409, code: "CART_EMPTY" });
    expect(await failure(client().getCheckout())).toMatchObject({ status: 404, code: "CHECKOUT_NOT_FOUND" });
  });

  it("makes a recovery link of a cart with lines, and refuses one for an empty cart (409 CART_EMPTY)", async () => {
    const shopper = client();
    const empty = await failure(shopper.createRecoveryLink());
    expect(empty).toMatchObject({ status: 409, code: "CART_EMPTY" });
    await shopper.addItem({ productId: TEE });
    const link = await shopper.createRecoveryLink();
    expect(new URL(link.url).pathname).toBe("/cart/recover");
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("reads the session and ends it: the device gets a new guest session", async () => {
    const shopper = client();
    await shopper.addItem({ productId: TEE });
    const session = await shopper.getSession();
    expect(session.user).toBeNull();
    expect(session.idleTimeoutSeconds).toBeGreaterThan(0);
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.startedAt));
    const next = await shopper.endSession();
    expect(next.user).toBeNull();
    expect((await shopper.getCart()).items).toEqual([]);
  });

  it("reads the health of the backends", async () => {
    const health = await client().health();
    expect(health.status).toBe("ok");
    expect(health.checks.postgres.ok).toBe(true);
    expect(health.checks.redis.ok).toBe(true);
  });
});

describe("the typed client's errors carry the contract's codes", () => {
  it("VALIDATION_ERROR with the field's path", async () => {
    const err = await failure(client().addItem({ productId: "not a product id!" }));
    expect(err).toMatchObject({ status: 422, code: "VALIDATION_ERROR" });
    expect(err.details).toEqual([expect.objectContaining({ path: ["productId"] })]);
    const fraction = await failure(client().setQuantity(TEE, 1.5));
    expect(fraction).toMatchObject({ status: 422, code: "VALIDATION_ERROR" });
  });

  it("PRODUCT_NOT_FOUND, PRODUCT_UNAVAILABLE and ITEM_NOT_FOUND", async () => {
    const shopper = client();
    expect(await failure(shopper.addItem({ productId: "sku-does-not-exist" }))).toMatchObject({ status: 422, code: "PRODUCT_NOT_FOUND" });
    expect(await failure(shopper.addItem({ productId: RETIRED }))).toMatchObject({ status: 422, code: "PRODUCT_UNAVAILABLE" });
    expect(await failure(shopper.setQuantity(MUG, 2))).toMatchObject({ status: 404, code: "ITEM_NOT_FOUND" });
    expect((await shopper.getCart()).version).toBe(0);
  });

  it("QUANTITY_LIMIT and LINE_LIMIT, changing nothing", async () => {
    const shopper = client();
    await shopper.addItem({ productId: TEE, quantity: 5 });
    expect(await failure(shopper.addItem({ productId: TEE }))).toMatchObject({ status: 422, code: "QUANTITY_LIMIT" });
    await shopper.addItem({ productId: MUG });
    const full = await shopper.addItem({ productId: HOODIE });
    expect(await failure(shopper.addItem({ productId: OLIVE }))).toMatchObject({ status: 422, code: "LINE_LIMIT" });
    expect(await shopper.getCart()).toEqual(full);
  });

  it("VERSION_CONFLICT with the current cart when If-Match is stale, and success when it is current", async () => {
    const shopper = client();
    const first = await shopper.addItem({ productId: TEE });
    const conflict = await failure(shopper.addItem({ productId: MUG }, { ifMatch: first.version - 1 }));
    expect(conflict).toMatchObject({ status: 412, code: "VERSION_CONFLICT" });
    // updatedAt is left out: the stored time differs from the one the add answered (reported, not this test's subject).
    expect(conflict.cart).toEqual({ ...first, updatedAt: expect.any(String) });
    const next = await shopper.addItem({ productId: MUG }, { ifMatch: first.version });
    expect(next.version).toBe(first.version + 1);
    expect(await failure(shopper.clear({ ifMatch: first.version }))).toMatchObject({ code: "VERSION_CONFLICT" });
  });

  it("FORBIDDEN_ORIGIN for a change sent with another origin", async () => {
    const shopper = client({ headers: { origin: "https://elsewhere.example" } });
    expect(await failure(shopper.addItem({ productId: TEE }))).toMatchObject({ status: 403, code: "FORBIDDEN_ORIGIN" });
    expect((await shopper.getCart()).items).toEqual([]);
  });

  it("SESSION_ROTATED for a copy of the cookie from before the session ended", async () => {
    const shopper = client();
    await shopper.addItem({ productId: TEE });
    const stale = client({ retry: { attempts: 1 } });
    stale.jar!.store(new Headers(shopper.jar!.header()!.split("; ").map((pair) => ["set-cookie", pair] as [string, string])));
    await shopper.endSession();
    expect(await failure(stale.getCart())).toMatchObject({ status: 409, code: "SESSION_ROTATED" });
  });
});

describe("the typed client's retries", () => {
  it("sends an Idempotency-Key per call and reuses a given one: the repeat returns the same cart", async () => {
    const shopper = client();
    const once = await shopper.addItem({ productId: TEE }, { idempotencyKey: "order-form-1" });
    const repeat = await shopper.addItem({ productId: TEE }, { idempotencyKey: "order-form-1" });
    expect(repeat).toEqual(once);
    expect(quantities(await shopper.getCart())).toEqual({ [TEE]: 1 });
    const reused = await failure(shopper.addItem({ productId: MUG }, { idempotencyKey: "order-form-1" }));
    expect(reused).toMatchObject({ status: 422, code: "IDEMPOTENCY_KEY_REUSED" });
    // Without a key of its own, each call gets a new one and applies.
    await shopper.addItem({ productId: TEE });
    await shopper.addItem({ productId: TEE });
    expect(quantities(await shopper.getCart())).toEqual({ [TEE]: 3 });
  });

  it("applies a keyed change once when it is sent many times at once (IDEMPOTENCY_IN_PROGRESS is waited out)", async () => {
    const retries: RetryInfo[] = [];
    const shopper = client({ onRetry: (info) => retries.push(info), retry: { attempts: 5 } });
    await shopper.getCart();
    const carts = await Promise.all(Array.from({ length: 3 }, () => shopper.addItem({ productId: MUG, quantity: 2 }, { idempotencyKey: "same-click" })));
    for (const cart of carts) expect(cart).toEqual(carts[0]);
    expect(quantities(await shopper.getCart())).toEqual({ [MUG]: 2 });
    for (const info of retries) expect(info.reason).toBe("in_progress");
  });

  it("throws RATE_LIMITED with Retry-After at once when the wait is longer than it may wait", async () => {
    const retries: RetryInfo[] = [];
    // Limits count per fixed minute: a burst starts in a minute of its own.
    clock.freshWindow();
    const shopper = client({ retry: { maxWaitMs: 0 }, onRetry: (info) => retries.push(info) });
    await useUpWrites(shopper);
    const limited = await failure(shopper.clear());
    expect(limited).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfter).toBeLessThanOrEqual(60);
    expect(retries).toEqual([]);
    // Reads are counted apart and go on.
    expect((await shopper.getCart()).items).toEqual([]);
  });

  it("stops waiting out a Retry-After when its signal aborts", async () => {
    clock.freshWindow();
    const controller = new AbortController();
    const shopper = client({ retry: { maxWaitMs: 120_000 }, onRetry: () => controller.abort(new Error("the shopper left")) });
    await useUpWrites(shopper);
    await expect(shopper.addItem({ productId: TEE }, { signal: controller.signal })).rejects.toThrow("the shopper left");
  });

  it("waits out 503 SERVICE_UNAVAILABLE for Retry-After while the database is locked, then succeeds", async () => {
    // Every table of the app's database locked by another session: the app's writes hit lock_timeout.
    const admin = postgres(backend.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const holder = await admin.reserve();
      const [row] = await holder<{ tables: string }[]>`
        select string_agg(quote_ident(tablename), ', ') as tables from pg_tables where schemaname = 'public'`;
      const tables = row?.tables ?? "";
      expect(tables).toMatch(/carts/);
      await holder`begin`;
      await holder.unsafe(`lock table ${tables} in access exclusive mode`);
      const retries: RetryInfo[] = [];
      let released: Promise<unknown> | undefined;
      const shopper = client({
        onRetry: (info) => {
          retries.push(info);
          released ??= holder`rollback`.then(() => holder.release());
        },
      });
      const cart = await shopper.addItem({ productId: MUG });
      await released;
      expect(quantities(cart)).toEqual({ [MUG]: 1 });
      expect(retries[0]).toMatchObject({ attempt: 1, reason: "unavailable", status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(retries[0]!.waitMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await admin.end();
    }
  });

  it("waits out 429 for as long as Retry-After says, then succeeds with the same Idempotency-Key", { timeout: 120_000 }, async () => {
    // The burst in a minute that has 1.5 s left, held there while it runs (however slow the
    // machine), then the clock runs on: Retry-After is 2 s, and the wait is the client's own.
    clock.freeze(clock.windowWithLeft(1_500));
    const retries: RetryInfo[] = [];
    // The app's fetch, watched: which Idempotency-Key each attempt of the add carried.
    const keys: (string | null)[] = [];
    const watched: typeof fetch = (input, init) => {
      if (init?.method === "POST") keys.push(new Headers(init.headers).get("idempotency-key"));
      return app.fetch(input, init);
    };
    const shopper = client({ fetch: watched, retry: { attempts: 3, maxWaitMs: 20_000 }, onRetry: (info) => retries.push(info) });
    await useUpWrites(shopper);
    clock.run();
    const started = Date.now();
    const cart = await shopper.addItem({ productId: TEE, quantity: 2 });
    expect(quantities(cart)).toEqual({ [TEE]: 2 });
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ method: "POST", path: "/api/cart/items", attempt: 1, reason: "rate_limited", status: 429, code: "RATE_LIMITED" });
    expect(retries[0]!.waitMs % 1000).toBe(0);
    expect(retries[0]!.waitMs).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(retries[0]!.waitMs);
    expect(quantities(await shopper.getCart())).toEqual({ [TEE]: 2 });
    expect(keys.length).toBe(retries.length + 1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\x20-\x7e]{1,255}$/);
  });
});
