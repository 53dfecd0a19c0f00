import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginUserSession } from "@/lib/identity/session-bridge";
import { createCart, memoryCatalog } from "@/lib/server";
import { closeDatabase } from "@/lib/storage/database";
import { NextRequest } from "next/server";
import { Browser } from "../support/browser";
import { openLive } from "../support/live";
import type { Shopper } from "../support/shopper";
import { createTestDatabase } from "../support/databases";
import { deleteRedisKeys, redisUrl, uniquePrefix } from "../support/services";

// Two markets in one process, as docs/module.md shows them: a USD shop at /api and an EUR shop
// at /eu/api, on one Postgres database and one Redis, each with its own currency, catalog,
// limits, cookie and key prefix. Each instance works as if it were alone.
const SECRET = "markets-test-secret-0123456789-abcdefghijklmnop";
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
const prefix = uniquePrefix("markets");

function market(options: { scope: string; currency: string; basePath: string; price: number; maxQuantity: number; cookie: string }) {
  return createCart({
    catalog: memoryCatalog([{ id: "sku-tee", name: `Tee (${options.currency})`, price: options.price, currency: options.currency, available: true }]),
    currency: options.currency,
    basePath: options.basePath,
    scope: options.scope,
    settings: {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      STORE_KEY_PREFIX: `${prefix}${options.scope}:`,
      SESSION_COOKIE_NAME: options.cookie,
      SESSION_SECRET: SECRET,
      CART_MAX_QUANTITY: options.maxQuantity,
      RATE_LIMIT_DISABLED: true,
      LOG_LEVEL: "warn",
    },
    env: {},
  });
}

let usd: ReturnType<typeof market>;
let eur: ReturnType<typeof market>;

beforeAll(async () => {
  database = await createTestDatabase("markets");
  sql = postgres(database.url, { max: 1, onnotice: () => {} });
  usd = market({ scope: "us", currency: "USD", basePath: "/api", price: 2500, maxQuantity: 5, cookie: "us_cart" });
  eur = market({ scope: "eu", currency: "EUR", basePath: "/eu/api", price: 2300, maxQuantity: 3, cookie: "eu_cart" });
});

afterAll(async () => {
  await sql.end();
  await closeDatabase(usd.settings);
  await database.drop();
  await deleteRedisKeys(`${prefix}*`);
});

describe("two markets in one process", () => {
  it("keeps currency, catalog, limits, cookie and key prefix apart", async () => {
    const browser = new Browser();
    const us = await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee", quantity: 2 } });
    expect(us.status).toBe(200);
    expect(us.body).toMatchObject({ currency: "USD", subtotal: 5000, items: [{ name: "Tee (USD)", unitPrice: 2500, quantity: 2 }] });
    const eu = await browser.call(eur, "POST", "/eu/api/cart/items", { json: { productId: "sku-tee", quantity: 1 } });
    expect(eu.status).toBe(200);
    expect(eu.body).toMatchObject({ currency: "EUR", subtotal: 2300, items: [{ name: "Tee (EUR)", unitPrice: 2300, quantity: 1 }] });
    expect([...browser.cookies.keys()].sort()).toEqual(["eu_cart", "us_cart"]);

    // Each market reads only its own cart, through its own cookie.
    expect((await browser.call(usd, "GET", "/api/cart")).body).toMatchObject({ currency: "USD", itemCount: 2 });
    expect((await browser.call(eur, "GET", "/eu/api/cart")).body).toMatchObject({ currency: "EUR", itemCount: 1 });

    // Each market's limit: 3 more is over the EUR shop's 3, within the USD shop's 5.
    const over = await browser.call(eur, "POST", "/eu/api/cart/items", { json: { productId: "sku-tee", quantity: 3 } });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe("QUANTITY_LIMIT");
    expect((await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee", quantity: 3 } })).body.items[0].quantity).toBe(5);

    // A route of one market under the other's base path is not found there.
    expect((await browser.call(usd, "GET", "/eu/api/cart")).status).toBe(404);

    // Each market's store entries under its own prefix.
    const { createClient } = await import("redis");
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    try {
      expect(await redis.keys(`${prefix}us:*`)).not.toEqual([]);
      expect(await redis.keys(`${prefix}eu:*`)).not.toEqual([]);
    } finally {
      await redis.close();
    }
  });

  it("a cookie of one market is nothing to the other, even under the other's name", async () => {
    const browser = new Browser();
    await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee" } });
    const stolen = new Browser();
    stolen.cookies.set("eu_cart", browser.cookies.get("us_cart")!);
    expect((await stolen.call(eur, "GET", "/eu/api/cart")).body).toMatchObject({ id: null, itemCount: 0 });
  });

  it("a user signed in on both has a cart in each, in that market's currency", async () => {
    const browser = new Browser();
    await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee", quantity: 1 } });
    await browser.call(eur, "POST", "/eu/api/cart/items", { json: { productId: "sku-tee", quantity: 2 } });
    const user = { id: `user-${prefix}`, email: "both@example.com" };
    await usd.runtime.run(() => beginUserSession(user, browser.io()));
    await eur.runtime.run(() => beginUserSession(user, browser.io()));

    const us = await browser.call(usd, "GET", "/api/cart");
    const eu = await browser.call(eur, "GET", "/eu/api/cart");
    expect(us.body).toMatchObject({ currency: "USD", itemCount: 1 });
    expect(eu.body).toMatchObject({ currency: "EUR", itemCount: 2 });
    expect(us.body.id).not.toBe(eu.body.id);
    expect((await browser.call(usd, "GET", "/api/session")).body.user).toMatchObject({ id: user.id });

    // One active cart per user and market, each made at sign-in in its market's currency
    // (a sign-in cart was once always USD).
    const rows = await sql<{ scope: string; currency: string }[]>`select scope, currency from cart_carts where user_id = ${user.id} and status = 'active' order by scope`;
    expect(rows.map((r) => [r.scope, r.currency.trim()])).toEqual([
      ["eu", "EUR"],
      ["us", "USD"],
    ]);
  });

  it("a user's first sign-in on a market without a guest cart makes that market's cart in its currency", async () => {
    const browser = new Browser();
    const user = { id: `fresh-${prefix}`, email: "fresh@example.com" };
    await eur.runtime.run(() => beginUserSession(user, browser.io()));
    const [row] = await sql<{ currency: string }[]>`select currency from cart_carts where user_id = ${user.id} and scope = 'eu'`;
    expect(row?.currency.trim()).toBe("EUR");
  });

  it("each market's notification hears only its own changes", async () => {
    const heard: { us: string[]; eu: string[] } = { us: [], eu: [] };
    const stopUs = usd.onCartChanged((c) => heard.us.push(`${c.scope}:${c.version}`));
    const stopEu = eur.onCartChanged((c) => heard.eu.push(`${c.scope}:${c.version}`));
    try {
      const browser = new Browser();
      await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee" } });
      await browser.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee" } });
      await browser.call(eur, "POST", "/eu/api/cart/items", { json: { productId: "sku-tee" } });
      // A no-op changes nothing and says nothing: the same quantity again.
      await browser.call(eur, "PATCH", "/eu/api/cart/items/sku-tee", { json: { quantity: 1 } });
      expect(heard).toEqual({ us: ["us:1", "us:2"], eu: ["eu:1"] });
    } finally {
      stopUs();
      stopEu();
    }
  });

  it("each market's live streams hear only its own changes (a channel per key prefix), for the same user on both", async () => {
    const { createClient } = await import("redis");
    const watcher = createClient({ url: redisUrl });
    await watcher.connect();
    const carried: { us: any[]; eu: any[] } = { us: [], eu: [] };
    await watcher.subscribe(`${prefix}us:live`, (m) => carried.us.push(JSON.parse(m)));
    await watcher.subscribe(`${prefix}eu:live`, (m) => carried.eu.push(JSON.parse(m)));
    const user = { id: `live-${prefix}`, email: "live@example.com" };
    const onUs = new Browser();
    const onEu = new Browser();
    await usd.runtime.run(() => beginUserSession(user, onUs.io()));
    await eur.runtime.run(() => beginUserSession(user, onEu.io()));
    // EventSource on the US market's route handler, as Next.js would call it.
    const send: typeof fetch = (input, init) => usd.handlers.GET(new NextRequest(String(input), { ...(init as ConstructorParameters<typeof NextRequest>[1]), headers: { ...(init?.headers as Record<string, string>), host: "shop.test" } }));
    const stream = await openLive({ baseUrl: onUs.origin, cookies: onUs.cookies, cookieHeader: () => onUs.cookieHeader() } as unknown as Shopper, send);
    try {
      expect(stream.status).toBe(200);
      expect((await stream.next())?.event).toBe("cart");
      const eu = await onEu.call(eur, "POST", "/eu/api/cart/items", { json: { productId: "sku-tee" } });
      const us = await onUs.call(usd, "POST", "/api/cart/items", { json: { productId: "sku-tee" } });
      expect([eu.status, us.status]).toEqual([200, 200]);
      // The user's next event is the US cart's change: the EUR change never woke this stream.
      const event = await stream.next();
      expect(JSON.parse(event!.data)).toMatchObject({ id: us.body.id, currency: "USD", version: us.body.version });
      // (Besides the sessions the sign-ins ended: `{s}` messages.)
      const changes = (messages: any[]) => messages.filter((m) => "c" in m).map((m) => m.c);
      await expect.poll(() => changes(carried.us).length + changes(carried.eu).length).toBeGreaterThanOrEqual(2);
      expect(changes(carried.us)).toEqual([us.body.id]);
      expect(changes(carried.eu)).toEqual([eu.body.id]);
    } finally {
      stream.close();
      await watcher.close();
    }
  });
});
