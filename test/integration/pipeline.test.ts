import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { demoCatalog } from "@/app/_demo/catalog";
import { lineIdOf } from "@/lib/cart/domain";
import { isStreaming, operations } from "@/lib/contract/operations";
import { flushLogs, log } from "@/lib/log/logger";
import { sessionActions } from "@/lib/http/routes";
import { createCart, postgresCatalog } from "@/lib/server";
import { closeDatabase } from "@/lib/storage/database";
import { storeInProcess } from "@/lib/storage/store";
import { parseEnv } from "@/lib/config/env";
import { products } from "@/db/schema";
import { eq } from "drizzle-orm";
import { Browser, form } from "../support/browser";
import { createTestDatabase } from "../support/databases";
import { deleteRedisKeys, redisUrl, uniquePrefix } from "../support/services";
import { parsePrometheusText, sampleValue } from "../support/prometheus";

// The one pipeline, in this process, on Postgres + Redis: every session operation of the table
// gives the same answer through both adapters (route handler and server action), and the
// pipeline's own rules (405 with Allow, metrics in production, the catalog's reads).
const SECRET = "pipeline-test-secret-0123456789-abcdefghijklmnop";
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const prefix = uniquePrefix("pipeline");

function instance(settings: Record<string, string | number | boolean> = {}, catalog = postgresCatalog({ seed: demoCatalog })) {
  return createCart({
    catalog,
    settings: { DATABASE_URL: database.url, REDIS_URL: redisUrl, STORE_KEY_PREFIX: prefix, SESSION_SECRET: SECRET, RATE_LIMIT_DISABLED: true, LOG_LEVEL: "warn", ...settings },
    env: {},
  });
}

let cart: ReturnType<typeof instance>;

beforeAll(async () => {
  database = await createTestDatabase("pipeline");
  cart = instance();
  await cart.migrate();
});

afterAll(async () => {
  await closeDatabase(cart.settings);
  await database.drop();
  await deleteRedisKeys(`${prefix}*`);
});

// What a shopper would compare: the outcome and the cart's lines, not ids or times.
function comparable(result: { ok: boolean; code?: string; body?: unknown }) {
  const body = result.body as { items?: { productId: string; quantity: number }[]; version?: number; user?: unknown; url?: string } | undefined;
  return {
    ok: result.ok,
    code: result.code,
    items: body?.items?.map((i) => `${i.productId}×${i.quantity}`),
    version: body?.version,
    user: body && "user" in body ? body.user : undefined,
    link: typeof body?.url === "string" ? "link" : undefined,
  };
}

type Step = { id: keyof ReturnType<typeof sessionActions>; route: [method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, json?: unknown]; fields?: Record<string, string> };

// A line with properties: its lineId, as the cart object gives it.
const GLAZED = encodeURIComponent(lineIdOf({ productId: "sku-mug-stoneware", properties: { Glaze: "Blue" } }));

// One shopper's journey, step by step through each adapter; every session operation of the table appears.
const journey: Step[] = [
  { id: "getCart", route: ["GET", "/api/cart"] },
  { id: "addItem", route: ["POST", "/api/cart/items", { productId: TEE, quantity: 2 }], fields: { productId: TEE, quantity: "2" } },
  { id: "addItem", route: ["POST", "/api/cart/items", { productId: MUG }], fields: { productId: MUG } },
  { id: "addItem", route: ["POST", "/api/cart/items", { productId: "sku-no-such" }], fields: { productId: "sku-no-such" } },
  { id: "setItemQuantity", route: ["PATCH", `/api/cart/items/${TEE}`, { quantity: 5 }], fields: { productId: TEE, quantity: "5" } },
  { id: "setItemQuantity", route: ["PATCH", `/api/cart/items/${TEE}`, { quantity: 500 }], fields: { productId: TEE, quantity: "500" } },
  { id: "setItemQuantity", route: ["PATCH", "/api/cart/items/sku-hoodie-grey-m", { quantity: 1 }], fields: { productId: "sku-hoodie-grey-m", quantity: "1" } },
  { id: "removeItem", route: ["DELETE", `/api/cart/items/${MUG}`], fields: { productId: MUG } },
  { id: "addItem", route: ["POST", "/api/cart/items", { productId: MUG, properties: { Glaze: "Blue" } }], fields: { productId: MUG, "properties[Glaze]": "Blue" } },
  { id: "setLineQuantity", route: ["PATCH", `/api/cart/lines/${GLAZED}`, { quantity: 3 }], fields: { lineId: decodeURIComponent(GLAZED), quantity: "3" } },
  { id: "setNote", route: ["PUT", "/api/cart/note", { note: "Ring twice" }], fields: { note: "Ring twice" } },
  { id: "createCheckout", route: ["POST", "/api/cart/checkout"] },
  { id: "getCheckout", route: ["GET", "/api/cart/checkout"] },
  { id: "cancelCheckout", route: ["DELETE", "/api/cart/checkout"] },
  { id: "removeLine", route: ["DELETE", `/api/cart/lines/${GLAZED}`], fields: { lineId: decodeURIComponent(GLAZED) } },
  { id: "createRecoveryLink", route: ["POST", "/api/cart/recovery-link"] },
  { id: "getSession", route: ["GET", "/api/session"] },
  { id: "getAdminStats", route: ["GET", "/api/admin/stats"] },
  { id: "clearCart", route: ["DELETE", "/api/cart"] },
  { id: "createRecoveryLink", route: ["POST", "/api/cart/recovery-link"] },
  { id: "endSession", route: ["DELETE", "/api/session"] },
];

describe("both adapters", () => {
  it("cover every session operation of the table", () => {
    // A stream (GET /cart/live) has no server action: a form cannot hold it open (test/integration/live-*.test.ts).
    const sessionOps = Object.values(operations)
      .filter((op) => op.access === "session" && !isStreaming(op))
      .map((op) => op.id);
    expect(new Set(journey.map((s) => s.id))).toEqual(new Set(sessionOps));
    expect(Object.keys(cart.operations).sort()).toEqual([...sessionOps].sort());
  });

  it("give the same answers, step by step, to two shoppers doing the same", async () => {
    const viaRoutes = new Browser();
    const viaActions = new Browser();
    const actions = sessionActions(viaActions.io());
    for (const step of journey) {
      const [method, path, json] = step.route;
      const answer = await viaRoutes.call(cart, method, path, json === undefined ? {} : { json });
      const route = comparable({ ok: answer.status < 300, code: answer.body?.error?.code, body: answer.status < 300 ? answer.body : undefined });
      const state = await cart.runtime.run(() => actions[step.id](form({ js: "1", ...step.fields })));
      const action = comparable(state.ok ? { ok: true, body: state.data } : { ok: false, code: state.error.code });
      expect(action, `${step.id} ${method} ${path}`).toEqual(route);
    }
  });

  it("answer a refusal beside the current cart in an action, unchanged", async () => {
    const browser = new Browser();
    const actions = sessionActions(browser.io());
    await cart.runtime.run(() => actions.addItem(form({ js: "1", productId: TEE })));
    const refused = await cart.runtime.run(() => actions.addItem(form({ js: "1", productId: TEE, quantity: "1000" })));
    expect(refused).toMatchObject({ ok: false, error: { code: "QUANTITY_LIMIT" }, cart: { items: [{ productId: TEE, quantity: 1 }] } });
  });
});

describe("the pipeline's own answers", () => {
  it("answers a method the route does not serve with the contract's 405 and Allow", async () => {
    const put = await new Browser().call(cart, "PUT", "/api/cart");
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, DELETE");
    expect(put.body).toEqual({ error: { code: "METHOD_NOT_ALLOWED", message: expect.any(String) } });
  });

  it("serves /api/metrics in production only with METRICS_TOKEN, and only to its bearer", async () => {
    const open = instance({ NODE_ENV: "production" });
    expect((await new Browser().call(open, "GET", "/api/metrics")).status).toBe(404);
    const guarded = instance({ NODE_ENV: "production", METRICS_TOKEN });
    expect((await new Browser().call(guarded, "GET", "/api/metrics")).status).toBe(401);
    expect((await new Browser().call(guarded, "GET", "/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
  });

  // The instance's catalog reads (cart_catalog_reads_total) by kind, from its /api/metrics.
  const catalogReads = async (of: ReturnType<typeof instance>) => {
    const text = (await new Browser().call(of, "GET", "/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body as string;
    const families = parsePrometheusText(text);
    const kind = (k: string) => sampleValue(families, "cart_catalog_reads_total", { kind: k }) ?? 0;
    return { all: kind("all"), byId: kind("by_id") };
  };
  // An hour's copy: a refresh on its own schedule during the test would be counted as one the
  // requests caused. No admission control: 80 requests at once would pass its 64 in flight, and
  // a 503 is not the answer these tests count.
  const catalogInstance = (name: string, catalog?: ReturnType<typeof postgresCatalog>) =>
    instance({ METRICS_TOKEN, STORE_KEY_PREFIX: `${prefix}${name}:`, CATALOG_CACHE_SECONDS: 3600, ADMISSION_MAX_IN_FLIGHT: 0, ADMISSION_MAX_EVENT_LOOP_DELAY_MS: 0 }, catalog);

  it("looks an unknown product up by id, once for a storm of requests, and never reloads the whole catalog for it", async () => {
    const storm = catalogInstance("storm");
    expect((await new Browser().call(storm, "POST", "/api/cart/items", { json: { productId: TEE } })).status).toBe(200);
    const before = await catalogReads(storm);
    const views = Array.from({ length: 40 }, () => new Browser().call(storm, "GET", "/api/cart"));
    const adds = Array.from({ length: 40 }, () => new Browser().call(storm, "POST", "/api/cart/items", { json: { productId: "sku-made-up-1" } }));
    const [viewed, added] = await Promise.all([Promise.all(views), Promise.all(adds)]);
    expect(viewed.map((a) => a.status)).toEqual(Array(40).fill(200));
    // Every add of the made-up id was answered, and as an unknown product: none passed or failed otherwise.
    expect(added.map((a) => `${a.status} ${a.body?.error?.code}`)).toEqual(Array(40).fill("422 PRODUCT_NOT_FOUND"));
    const after = await catalogReads(storm);
    expect(after.all - before.all).toBe(0);
    expect(after.byId - before.byId).toBe(1);
  });

  it("views a cart holding a product the host has since deleted without reloading the whole catalog each time", async () => {
    const catalog = postgresCatalog({ seed: demoCatalog });
    const shop = catalogInstance("deleted", catalog);
    const db = () => shop.runtime.run(() => shop.runtime.db());
    const RETIRED = "sku-pipeline-retired";
    await (await db()).insert(products).values({ id: RETIRED, slug: RETIRED, name: "Retired", description: "", price: 900, currency: "USD", image: "" });
    const shopper = new Browser();
    expect((await shopper.call(shop, "POST", "/api/cart/items", { json: { productId: RETIRED } })).status).toBe(200);
    await (await db()).delete(products).where(eq(products.id, RETIRED));
    // The copy is refreshed (as after CATALOG_CACHE_SECONDS): from now on it lacks the product the cart holds.
    catalog.invalidate();
    const before = await catalogReads(shop);
    for (let i = 0; i < 6; i += 1) expect((await shopper.call(shop, "GET", "/api/cart")).status).toBe(200);
    const after = await catalogReads(shop);
    // The one refresh asked for above, and one lookup of the deleted id, whatever the number of views.
    expect(after.all - before.all).toBe(1);
    expect(after.byId - before.byId).toBe(1);
  });
});

describe("the Postgres catalog's product pages", () => {
  // What a line links to comes first from the catalog (issue 17): a host without /products pages says so in the adapter.
  const hrefOfAddedLine = async (catalog: ReturnType<typeof postgresCatalog>) => {
    const added = await new Browser().call(instance({}, catalog), "POST", "/api/cart/items", { json: { productId: TEE } });
    expect(added.status).toBe(200);
    return (added.body as { items: { href: string | null }[] }).items[0]!.href;
  };

  it("are /products/{slug} by default, the host's own with a function, and none with null", async () => {
    const slug = demoCatalog.find((p) => p.id === TEE)!.slug;
    expect(await hrefOfAddedLine(postgresCatalog({ seed: demoCatalog }))).toBe(`/products/${slug}`);
    expect(await hrefOfAddedLine(postgresCatalog({ seed: demoCatalog, href: (p) => `/books/${p.id}` }))).toBe(`/books/${TEE}`);
    expect(await hrefOfAddedLine(postgresCatalog({ seed: demoCatalog, href: null }))).toBeNull();
  });
});

describe("instance settings", () => {
  it("logs at each instance's own LOG_LEVEL", () => {
    const quiet = createCart({ catalog: postgresCatalog(), settings: { LOG_LEVEL: "error" }, env: {} });
    const chatty = createCart({ catalog: postgresCatalog(), settings: { LOG_LEVEL: "debug" }, env: {} });
    const writes = vi.spyOn(fs, "writeSync");
    try {
      quiet.runtime.run(() => log.info("quiet-instance-line"));
      chatty.runtime.run(() => log.debug("chatty-instance-line"));
      flushLogs();
      const written = writes.mock.calls.map((call) => String(call[1]));
      expect(written.some((line) => line.includes("quiet-instance-line"))).toBe(false);
      expect(written.some((line) => line.includes("chatty-instance-line"))).toBe(true);
    } finally {
      writes.mockRestore();
    }
  });

  it("counts a Redis Cluster as a store outside the process (the cleanup sweeps none)", () => {
    expect(storeInProcess(parseEnv({}))).toBe(true);
    expect(storeInProcess(parseEnv({ REDIS_URL: "redis://127.0.0.1:6379" }))).toBe(false);
    expect(storeInProcess(parseEnv({ REDIS_CLUSTER_NODES: "127.0.0.1:7000" }))).toBe(false);
    expect(storeInProcess(parseEnv({ UPSTASH_REDIS_REST_URL: "https://x.example", UPSTASH_REDIS_REST_TOKEN: "t" }))).toBe(false);
  });
});
