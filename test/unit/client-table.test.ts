import { describe, expect, it } from "vitest";
import { createCartClient, type CartClient } from "@/lib/client";
import { operations, type OperationId } from "@/lib/contract/operations";
import { exampleOf } from "@/lib/openapi/examples";

// The typed client's methods are the table's operations: each sends the operation's method to
// its path (under the base path, parameters percent-encoded) and parses the answer with its
// output schema. A fake fetch answers each call with the document's example of that output.

type Sent = { method: string; url: string; body: unknown; idempotencyKey: string | null };

function clientAnswering(basePath?: string) {
  const sent: Sent[] = [];
  const fake: typeof fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    sent.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined, idempotencyKey: headers.get("idempotency-key") });
    const op = Object.values(operations).find((spec) => spec.method === method && new RegExp(`${spec.path.replace(/\{\w+\}/g, "[^/]+")}$`).test(new URL(url).pathname));
    if (!op) return new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "Not found." } }), { status: 404 });
    return new Response(JSON.stringify(exampleOf(op.output)), { status: op.status, headers: { "content-type": "application/json" } });
  };
  const client = createCartClient({ baseUrl: "https://shop.example/", basePath, fetch: fake, cookies: "jar" });
  return { client, sent };
}

const CALLS: [OperationId, (client: CartClient) => Promise<unknown>, string, unknown?][] = [
  ["getCart", (c) => c.getCart(), "/cart"],
  ["addItem", (c) => c.addItem({ productId: "sku-tee-black-m", quantity: 2 }), "/cart/items", { productId: "sku-tee-black-m", quantity: 2 }],
  ["setItemQuantity", (c) => c.setQuantity("sku/odd id", 3), "/cart/items/sku%2Fodd%20id", { quantity: 3 }],
  ["removeItem", (c) => c.removeItem("sku-tee-black-m"), "/cart/items/sku-tee-black-m"],
  ["setLineQuantity", (c) => c.setLineQuantity("sku-mug-stoneware~0f3k2x9q1a8b4c7d6e5f2g", 2), "/cart/lines/sku-mug-stoneware~0f3k2x9q1a8b4c7d6e5f2g", { quantity: 2 }],
  ["removeLine", (c) => c.removeLine("sku-mug-stoneware~0f3k2x9q1a8b4c7d6e5f2g"), "/cart/lines/sku-mug-stoneware~0f3k2x9q1a8b4c7d6e5f2g"],
  ["setNote", (c) => c.setNote("Gift wrap, please."), "/cart/note", { note: "Gift wrap, please." }],
  ["createCheckout", (c) => c.createCheckout(), "/cart/checkout"],
  ["getCheckout", (c) => c.getCheckout(), "/cart/checkout"],
  ["cancelCheckout", (c) => c.cancelCheckout(), "/cart/checkout"],
  ["clearCart", (c) => c.clear(), "/cart"],
  ["createRecoveryLink", (c) => c.createRecoveryLink(), "/cart/recovery-link"],
  ["getSession", (c) => c.getSession(), "/session"],
  ["endSession", (c) => c.endSession(), "/session"],
  ["listProducts", (c) => c.listProducts(), "/products"],
  ["getHealth", (c) => c.health(), "/health"],
];

describe("the typed client, derived from the operation table", () => {
  it("sends each method's operation: its method, path and body, with an Idempotency-Key on every change", async () => {
    const { client, sent } = clientAnswering();
    for (const [id, call, path, body] of CALLS) {
      await call(client);
      const request = sent.at(-1)!;
      expect(request, id).toMatchObject({ method: operations[id].method, url: `https://shop.example/api${path}`, body });
      expect(request.idempotencyKey !== null, id).toBe(operations[id].changesCart);
    }
  });

  it("answers with the operation's output parsed by its schema", async () => {
    const { client } = clientAnswering();
    expect(await client.getCart()).toEqual(operations.getCart.output.parse(exampleOf(operations.getCart.output)));
    expect((await client.listProducts()).map((p) => p.id)).toEqual(["sku-tee-black-m", "sku-scarf-plaid"]);
  });

  it("calls the routes under another base path when given one", async () => {
    const { client, sent } = clientAnswering("/shop-api/");
    await client.addItem({ productId: "sku-tee-black-m" });
    expect(sent[0]!.url).toBe("https://shop.example/shop-api/cart/items");
  });
});
