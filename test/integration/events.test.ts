import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { beginUserSession } from "@/lib/identity/session-bridge";
import { retryDelaySeconds } from "@/lib/events/delivery";
import { createCart, memoryCatalog, type CartEvent, type CartEventHandler } from "@/lib/server";
import { registerMetrics } from "@/lib/observe/metrics";
import { registryFor } from "@/lib/observe/registry";
import { closeDatabase } from "@/lib/storage/database";
import { TEST_SESSION_SECRET } from "../support/app";
import { prepareBackend, type Backend, type BackendKind } from "../support/backends";
import { Browser } from "../support/browser";
import { TestClock } from "../support/clock";

/**
 * Cart events (lib/events, docs/events.md) on PGlite, Postgres and Postgres behind PgBouncer in
 * transaction mode: each change writes its event in its own transaction; webhooks reach a real
 * HTTP receiver on an ephemeral port, signed per Standard Webhooks (verified with the
 * `standardwebhooks` library), retried under the same webhook-id on the instance's clock; two
 * instances deliver each event once; a restart mid-backlog (a worker that died holding leases
 * among them) loses nothing; onEvent hears the same events; an abandoned signed-in cart yields
 * one `cart.abandoned` per idle period with a recovery link that restores its lines.
 */
const SECRET = `whsec_${Buffer.from("events-test-secret-0123456789abcdef").toString("base64")}`;
const ORIGIN = "http://shop.test";
const TEE = "sku-tee";
const MUG = "sku-mug";
const catalog = () =>
  memoryCatalog([
    { id: TEE, name: "Tee", price: 2500, currency: "USD", available: true },
    { id: MUG, name: "Mug", price: 1200, currency: "USD", available: true },
  ]);

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

// A webhook receiver: node:http on an ephemeral port, answering each request as `answer` says.
class Receiver {
  readonly received: Received[] = [];
  private server!: Server;
  url = "";

  constructor(private readonly answer: (request: Received, seen: number) => Promise<number> | number = () => 204) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
        this.received.push(request);
        const seen = this.received.filter((r) => r.headers["webhook-id"] === request.headers["webhook-id"]).length;
        res.statusCode = await this.answer(request, seen);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  ids(): string[] {
    return this.received.map((r) => String(r.headers["webhook-id"]));
  }

  // Verified as a receiver would: throws on a bad signature; the parsed body.
  verified(request: Received): { type: string; timestamp: string; data: Record<string, any> } {
    const headers = Object.fromEntries(["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(request.headers[h])]));
    return new Webhook(SECRET).verify(request.body, headers) as { type: string; timestamp: string; data: Record<string, any> };
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const BACKENDS: BackendKind[] = ["pglite+memory", "postgres+redis", "postgres+pgbouncer+redis"];

describe.each(BACKENDS)("cart events on %s", (kind) => {
  let backend: Backend;
  let scopes = 0;
  // Scopes apart per backend too: an instance's metrics registry is its scope's, in this process.
  const tag = kind.startsWith("pglite") ? "pl" : kind.includes("pgbouncer") ? "pb" : "pg";
  const opened: ReturnType<typeof createCart>[] = [];

  beforeAll(async () => {
    backend = await prepareBackend(kind, "events");
    // Opened and migrated once, here (PGlite's first open is slow on a busy machine): every
    // instance below shares the connection.
    await instance({ clock: new TestClock() }).migrate();
  });

  afterAll(async () => {
    await Promise.all(opened.map((cart) => cart.stop()));
    if (opened[0]) await closeDatabase(opened[0].settings);
    await backend?.cleanup();
  });

  // An instance of its own scope (unless given one) on this backend: its carts and outbox rows apart.
  function instance(options: { clock: TestClock; webhooks?: string[]; onEvent?: CartEventHandler; scope?: string; tuning?: Record<string, number> }) {
    const cart = createCart({
      catalog: catalog(),
      scope: options.scope ?? `${tag}${(scopes += 1)}`,
      settings: {
        ...backend.env,
        SESSION_SECRET: TEST_SESSION_SECRET,
        RATE_LIMIT_DISABLED: true,
        CLEANUP_SCHEDULE: "0",
        ALLOWED_ORIGINS: ORIGIN,
        LOG_LEVEL: "error",
        ...(options.webhooks ? { WEBHOOK_URLS: options.webhooks.join(","), WEBHOOK_SECRET: SECRET } : {}),
      },
      tuning: { EVENTS_POLL_MS: 20, WEBHOOK_TIMEOUT_MS: 2000, ...options.tuning },
      env: {},
      now: options.clock.now,
      onEvent: options.onEvent,
    });
    opened.push(cart);
    return cart;
  }

  const outboxRows = async (cart: ReturnType<typeof createCart>) =>
    cart.runtime.run(async () => {
      const result = await (await cart.runtime.db()).execute(
        sql`select id, endpoint, type, attempts, delivered_at, failed_at, next_attempt_at from cart_event_outbox where scope = ${cart.runtime.scope} order by created_at, id`,
      );
      return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
        id: string;
        endpoint: string;
        type: string;
        attempts: number;
        delivered_at: unknown;
        failed_at: unknown;
      }[];
    });

  it("sends each change as a signed webhook from the running worker, with the cart's lines and version", async () => {
    const receiver = await new Receiver().start();
    const cart = instance({ clock: new TestClock(), webhooks: [receiver.url] });
    await cart.start();
    const browser = new Browser(ORIGIN);
    expect((await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } })).status).toBe(200);
    expect((await browser.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 2 } })).status).toBe(200);
    expect((await browser.call(cart, "PATCH", `/api/cart/items/${TEE}`, { json: { quantity: 3 } })).status).toBe(200);
    const last = await browser.call(cart, "DELETE", `/api/cart/items/${MUG}`);
    expect(last.status).toBe(200);
    await until(() => receiver.received.length >= 4, "four webhooks");

    const bodies = receiver.received.map((r) => receiver.verified(r)).sort((a, b) => a.data.version - b.data.version);
    expect(bodies.map((b) => [b.type, b.data.version])).toEqual([
      ["cart.created", 1],
      ["cart.updated", 2],
      ["cart.updated", 3],
      ["cart.updated", 4],
    ]);
    expect(bodies[3]!.data).toMatchObject({ cartId: last.body.id, userId: null, currency: "USD", note: null, subtotal: 7500, itemCount: 3 });
    expect(bodies[3]!.data.lines).toEqual(last.body.items);
    expect(new Set(receiver.ids()).size).toBe(4);
    for (const r of receiver.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(String(r.headers["webhook-signature"])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    }
    // A tampered body fails verification.
    expect(() => receiver.verified({ ...receiver.received[0]!, body: receiver.received[0]!.body.replace("USD", "EUR") })).toThrow();
    await cart.stop();
    await receiver.stop();
  });

  it("retries a failing receiver with the same webhook-id: after 5 s, then 30 s, on the instance's clock", async () => {
    // Fails the first two attempts of each event, then accepts; processes each id once.
    const processed = new Set<string>();
    const receiver = await new Receiver((request, seen) => {
      if (seen <= 2) return 500;
      processed.add(String(request.headers["webhook-id"]));
      return 200;
    }).start();
    const clock = new TestClock();
    clock.freeze();
    const cart = instance({ clock, webhooks: [receiver.url] });
    const browser = new Browser(ORIGIN);
    expect((await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } })).status).toBe(200);

    expect(await cart.events.deliver()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    // Not due yet: nothing is sent before 5 s have passed.
    clock.advance(4_000);
    expect(await cart.events.deliver()).toBe(0);
    clock.advance(1_000);
    expect(await cart.events.deliver()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    clock.advance(29_000);
    expect(await cart.events.deliver()).toBe(0);
    clock.advance(1_000);
    expect(await cart.events.deliver()).toBe(1);

    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.ids()).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const r of receiver.received) expect(receiver.verified(r).type).toBe("cart.created");
    expect(processed.size).toBe(1);
    const [row] = await outboxRows(cart);
    expect(row).toMatchObject({ attempts: 3 });
    expect(row!.delivered_at).not.toBeNull();
    expect(await cart.events.stats()).toMatchObject({ waiting: 0, failing: 0, delivered: 1, failed: 0 });
    // Counted in the instance's metrics.
    cart.runtime.run(registerMetrics);
    const metrics = await cart.runtime.run(() => registryFor(cart.runtime.scope).metrics());
    expect(metrics).toContain('cart_event_deliveries_total{endpoint="webhook",outcome="retry"} 2');
    expect(metrics).toContain('cart_event_deliveries_total{endpoint="webhook",outcome="delivered"} 1');
    expect(metrics).toContain('cart_events_pending{state="failing"} 0');
    await receiver.stop();
  });

  it("counts a receiver that does not answer within WEBHOOK_TIMEOUT_MS as a failed attempt, retried under the same id", async () => {
    const receiver = await new Receiver(async (_, seen) => {
      if (seen === 1) await new Promise((r) => setTimeout(r, 1_000));
      return 204;
    }).start();
    const clock = new TestClock();
    clock.freeze();
    const cart = instance({ clock, webhooks: [receiver.url], tuning: { WEBHOOK_TIMEOUT_MS: 200 } });
    await new Browser(ORIGIN).call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    expect(await cart.events.deliver()).toBe(1);
    const [failed] = await cart.runtime.run(async () => {
      const result = await (await cart.runtime.db()).execute(sql`select last_error, delivered_at from cart_event_outbox where scope = ${cart.runtime.scope}`);
      return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { last_error: string; delivered_at: unknown }[];
    });
    expect(failed).toMatchObject({ last_error: "timed out after 200 ms", delivered_at: null });
    clock.advance(5_000);
    expect(await cart.events.deliver()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.ids()).size).toBe(1);
    expect(await cart.events.stats()).toMatchObject({ delivered: 1, failing: 0 });
    await receiver.stop();
  });

  it("records nothing while no endpoint is set", async () => {
    const cart = instance({ clock: new TestClock() });
    const browser = new Browser(ORIGIN);
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 1 } });
    expect(await outboxRows(cart)).toEqual([]);
    expect(await cart.events.deliver()).toBe(0);
  });

  it("keeps retrying hourly for 24 hours, then gives up", async () => {
    const receiver = await new Receiver(() => 503).start();
    const clock = new TestClock();
    clock.freeze();
    const cart = instance({ clock, webhooks: [receiver.url] });
    await new Browser(ORIGIN).call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 1 } });
    let attempts = 0;
    for (let hour = 0; hour <= 26; hour += 1) {
      attempts += await cart.events.deliver();
      clock.advance(3_600_000);
    }
    const [row] = await outboxRows(cart);
    expect(row!.failed_at).not.toBeNull();
    expect(row!.attempts).toBe(attempts);
    // Every hour from the first attempt until 24 hours had passed: at least 24 attempts.
    expect(attempts).toBeGreaterThanOrEqual(24);
    expect(new Set(receiver.ids()).size).toBe(1);
    expect(await cart.events.stats()).toMatchObject({ waiting: 0, failing: 0, failed: 1 });
    await receiver.stop();
  });

  it("delivers each event once with two instances running their workers at once", async () => {
    const receiver = await new Receiver(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return 204;
    }).start();
    const clock = new TestClock();
    const scope = `${tag}${(scopes += 1)}`;
    const a = instance({ clock, webhooks: [receiver.url], scope, tuning: { EVENTS_BATCH_SIZE: 3 } });
    const b = instance({ clock, webhooks: [receiver.url], scope, tuning: { EVENTS_BATCH_SIZE: 3 } });
    // The backlog first (five shoppers, four changes each), then both workers at once.
    await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const browser = new Browser(ORIGIN);
        for (let q = 1; q <= 4; q += 1) {
          const answer = await browser.call(i % 2 ? a : b, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
          expect(answer.status).toBe(200);
        }
      }),
    );
    await Promise.all([a.start(), b.start()]);
    await until(async () => (await a.events.stats()).delivered === 20, "20 deliveries");
    // And a few more polls of both, which must find nothing left to send.
    await Promise.all([a.events.deliver(), b.events.deliver()]);
    expect(receiver.ids()).toHaveLength(20);
    expect(new Set(receiver.ids()).size).toBe(20);
    const rows = await outboxRows(a);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    await receiver.stop();
  });

  it("loses nothing when the instance restarts mid-backlog, leases of a dead worker included", async () => {
    const receiver = await new Receiver(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return 200;
    }).start();
    const clock = new TestClock();
    const scope = `${tag}${(scopes += 1)}`;
    const first = instance({ clock, webhooks: [receiver.url], scope, tuning: { EVENTS_BATCH_SIZE: 2 } });
    const browser = new Browser(ORIGIN);
    for (let q = 1; q <= 12; q += 1) {
      expect((await browser.call(first, "POST", "/api/cart/items", { json: { productId: q % 2 ? TEE : MUG, quantity: 1 } })).status).toBe(200);
    }
    // A worker that claimed three rows and died before answering: their leases stay behind.
    await first.runtime.run(async () =>
      (await first.runtime.db()).execute(sql`
        update cart_event_outbox set attempts = attempts + 1, lease_until = ${new Date(clock.now() + 65_000).toISOString()}::timestamptz
        where (id, endpoint) in (select id, endpoint from cart_event_outbox where scope = ${scope} order by created_at limit 3)`),
    );
    await first.start();
    await until(() => receiver.received.length >= 4, "part of the backlog");
    await first.stop();
    await closeDatabase(first.settings);
    const sentBefore = receiver.received.length;
    expect(sentBefore).toBeLessThan(12);

    // The restart: a new instance on the same database, a minute and more later.
    clock.advance(70_000);
    const second = instance({ clock, webhooks: [receiver.url], scope, tuning: { EVENTS_BATCH_SIZE: 2 } });
    await second.start();
    await until(async () => (await second.events.stats()).delivered === 12, "the whole backlog");
    const rows = await outboxRows(second);
    expect(new Set(receiver.ids())).toEqual(new Set(rows.map((r) => r.id)));
    expect(rows.filter((r) => r.type === "cart.created")).toHaveLength(1);
    expect(rows.filter((r) => r.type === "cart.updated")).toHaveLength(11);
    // Only the leased rows could be sent twice (they were not: the dead worker never sent them).
    expect(receiver.ids()).toHaveLength(12);
    await second.stop();
    await receiver.stop();
  });

  it("calls onEvent with the same events, again after it throws, from the same outbox", async () => {
    const heard: CartEvent[] = [];
    let failures = 0;
    const clock = new TestClock();
    const cart = instance({
      clock,
      onEvent: (event) => {
        if (event.type === "cart.updated" && failures === 0) {
          failures += 1;
          throw new Error("the host's handler failed once");
        }
        heard.push(event);
      },
    });
    await cart.start();
    const browser = new Browser(ORIGIN);
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    const last = await browser.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 1 } });
    await until(() => heard.length >= 1 && failures === 1, "the first event and the failed second");
    clock.advance(5_000);
    await until(() => heard.length >= 2, "the retried event");
    expect(heard.map((e) => [e.type, e.data.version])).toEqual([
      ["cart.created", 1],
      ["cart.updated", 2],
    ]);
    expect(heard[1]!.data.lines).toEqual(last.body.items);
    expect(heard[1]!.id).toMatch(/^msg_/);
    const rows = await outboxRows(cart);
    expect(rows.map((r) => [r.endpoint, r.attempts])).toEqual([
      ["process", 1],
      ["process", 2],
    ]);
    await cart.stop();
  });

  it("tells a checkout's life (created, completed) and the carry-over into the next cart", async () => {
    const heard: CartEvent[] = [];
    const cart = instance({ clock: new TestClock(), onEvent: (event) => void heard.push(event) });
    const browser = new Browser(ORIGIN);
    const first = await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    const created = await browser.call(cart, "POST", "/api/cart/checkout");
    expect(created.status).toBe(201);
    // Added while the checkout is open: carried into the cart the shopper sees after the order.
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 2 } });
    const completed = await cart.checkouts.complete(created.body.checkout.id, { orderId: "order-1" });
    const next = await browser.call(cart, "GET", "/api/cart");
    expect(next.body.items.map((l: { productId: string; quantity: number }) => [l.productId, l.quantity])).toEqual([[MUG, 2]]);
    await cart.events.deliver();
    const byType = (type: string) => heard.filter((e) => e.type === type);
    expect(byType("checkout.created").map((e) => e.data.checkout)).toEqual([created.body.checkout]);
    expect(byType("checkout.completed").map((e) => e.data.checkout)).toEqual([completed]);
    const carried = heard.find((e) => e.data.cartId === next.body.id);
    expect(carried?.type).toBe("cart.created");
    expect(carried?.data).toMatchObject({ version: next.body.version, carriedFrom: first.body.id });
    expect(carried?.data.lines).toEqual(next.body.items);
  });

  it("tells a note change as cart.updated with the note, and a cancelled checkout as checkout.cancelled, the cart untouched", async () => {
    const heard: CartEvent[] = [];
    const cart = instance({ clock: new TestClock(), onEvent: (event) => void heard.push(event) });
    const browser = new Browser(ORIGIN);
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    const noted = await browser.call(cart, "PUT", "/api/cart/note", { json: { note: "Gift wrap, please" } });
    expect(noted.status).toBe(200);
    const created = await browser.call(cart, "POST", "/api/cart/checkout");
    expect(created.status).toBe(201);
    const cancelled = await browser.call(cart, "DELETE", "/api/cart/checkout");
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.checkout).toMatchObject({ id: created.body.checkout.id, status: "cancelled", note: "Gift wrap, please" });
    const after = await browser.call(cart, "GET", "/api/cart");
    expect(after.body).toMatchObject({ version: noted.body.version, note: "Gift wrap, please" });
    await cart.events.deliver();
    expect(heard.map((e) => e.type)).toEqual(["cart.created", "cart.updated", "checkout.created", "checkout.cancelled"]);
    const updated = heard[1]!;
    expect(updated.data).toMatchObject({ cartId: noted.body.id, version: noted.body.version, note: "Gift wrap, please" });
    expect(updated.data.lines).toEqual(noted.body.items);
    expect(heard[3]!.data.checkout).toEqual(cancelled.body.checkout);
  });

  it("tells nothing of an ordered cart as abandoned, while another idle cart is told", async () => {
    const heard: CartEvent[] = [];
    const clock = new TestClock();
    const cart = instance({ clock, onEvent: (event) => void heard.push(event) });
    const signedIn = async () => {
      const userId = `user-${Math.random().toString(36).slice(2)}`;
      const browser = new Browser(ORIGIN);
      await cart.runtime.run(() => beginUserSession({ id: userId, email: `${userId}@example.com` }, browser.io()));
      await browser.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 1 } });
      return browser;
    };
    const buyer = await signedIn();
    const idler = await signedIn();
    const checkout = await buyer.call(cart, "POST", "/api/cart/checkout");
    await cart.checkouts.complete(checkout.body.checkout.id, { orderId: "order-abandoned-1" });
    const idle = await idler.call(cart, "GET", "/api/cart");
    clock.advance(3_601_000);
    expect(await cart.events.findAbandoned()).toBe(1);
    await cart.events.deliver();
    expect(heard.filter((e) => e.type === "cart.abandoned").map((e) => e.data.cartId)).toEqual([idle.body.id]);
  });

  it("tells a sign-in merge as cart.merged, with the email the host's sign-in gave", async () => {
    const heard: CartEvent[] = [];
    const cart = instance({ clock: new TestClock(), onEvent: (event) => void heard.push(event) });
    // A user of the host's own identity (not in the module's accounts): signedIn({ id, email }).
    const userId = `user-${Math.random().toString(36).slice(2)}`;
    const browser = new Browser(ORIGIN);
    await browser.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 2 } });
    await cart.runtime.run(() => beginUserSession({ id: userId, email: `${userId}@example.com` }, browser.io()));
    const merged = await browser.call(cart, "GET", "/api/cart");
    await cart.events.deliver();
    const event = heard.find((e) => e.type === "cart.merged");
    expect(event?.data).toMatchObject({ cartId: merged.body.id, version: merged.body.version, userId, email: `${userId}@example.com` });
    expect(event?.data.lines).toEqual(merged.body.items);
  });

  it("emits cart.abandoned once per idle period, with a recovery link that restores the cart's lines", async () => {
    const heard: CartEvent[] = [];
    const clock = new TestClock();
    const cart = instance({ clock, onEvent: (event) => void heard.push(event) });
    const userId = `user-${Math.random().toString(36).slice(2)}`;
    const email = `${userId}@example.com`;
    await cart.runtime.run(async () => (await cart.runtime.db()).insert(users).values({ id: userId, email }));
    const shopper = new Browser(ORIGIN);
    await cart.runtime.run(() => beginUserSession({ id: userId, email }, shopper.io()));
    const added = await shopper.call(cart, "POST", "/api/cart/items", { json: { productId: MUG, quantity: 3 } });
    expect(added.status).toBe(200);
    // A guest's idle cart is not told (no email to write to).
    await new Browser(ORIGIN).call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });

    expect(await cart.events.findAbandoned()).toBe(0);
    clock.advance(3_601_000);
    // Two instances' passes at once tell it once.
    const twin = instance({ clock, onEvent: (event) => void heard.push(event), scope: cart.runtime.scope });
    const passes = await Promise.all([cart.events.findAbandoned(), twin.events.findAbandoned()]);
    expect(passes[0] + passes[1]).toBe(1);
    // The same idle period again, through the jobs (cleanup runs the abandoned-cart pass too).
    await cart.cleanup({ trigger: "test" });
    expect(await cart.events.findAbandoned()).toBe(0);
    await cart.events.deliver();
    const abandoned = heard.filter((e) => e.type === "cart.abandoned");
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]!.data).toMatchObject({ cartId: added.body.id, version: added.body.version, userId, email, itemCount: 3 });
    const url = new URL(String(abandoned[0]!.data.recoveryUrl));
    expect(url.origin + url.pathname).toBe(`${ORIGIN}/cart/recover`);

    // The link works: another browser restores the snapshot's lines into its cart.
    const other = new Browser(ORIGIN);
    const form = new URLSearchParams({ token: url.searchParams.get("token")! }).toString();
    const confirm = await cart.recovery.confirm(
      new NextRequest(`${ORIGIN}/cart/recover/confirm`, {
        method: "POST",
        headers: { host: "shop.test", origin: ORIGIN, "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(form)) },
        body: form,
      }),
    );
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get("location")).toContain("/cart?restored=1");
    for (const line of confirm.headers.getSetCookie()) {
      const [pair] = line.split(";");
      other.cookies.set(pair!.slice(0, pair!.indexOf("=")), pair!.slice(pair!.indexOf("=") + 1));
    }
    expect((await other.call(cart, "GET", "/api/cart")).body.items).toMatchObject([{ productId: MUG, quantity: 3 }]);

    // A change starts a new idle period: told once more after it.
    await shopper.call(cart, "POST", "/api/cart/items", { json: { productId: TEE, quantity: 1 } });
    clock.advance(3_601_000);
    expect(await cart.events.findAbandoned()).toBe(1);
    expect(await cart.events.findAbandoned()).toBe(0);
  });
});

describe("retry schedule", () => {
  it("takes each listed delay in turn, then repeats the last", () => {
    const schedule = [5, 30, 300, 1800, 3600];
    expect([1, 2, 3, 4, 5, 6, 30].map((n) => retryDelaySeconds(schedule, n))).toEqual([5, 30, 300, 1800, 3600, 3600, 3600]);
  });
});
