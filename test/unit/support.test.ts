import { describe, expect, it } from "vitest";
import { fingerprintOf, parseIdempotencyKey } from "@/lib/cart/idempotency";
import { mergeLines } from "@/lib/cart/domain";
import { mergeNotices } from "@/lib/cart/merge";
import { successorCartId } from "@/lib/cart/service";
import { emptyCartView } from "@/lib/cart/view";
import { applyCartOp, newerCart } from "@/lib/react/cart-reducer";
import { AppError } from "@/lib/errors";

const line = (productId: string, quantity: number) => ({ productId, quantity, addedUnitPrice: 1000, addedAt: "" });

describe("successorCartId", () => {
  it("is a stable, well-formed uuid that never leads back", () => {
    const id = "5b0a3c1e-9d7f-4c2a-8e1b-2f6d4a9c0e11";
    const next = successorCartId(id);
    expect(next).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(successorCartId(id)).toBe(next);
    expect(next).not.toBe(id);
    expect(successorCartId(next)).not.toBe(id);
  });
});

describe("mergeNotices", () => {
  it("says how many items arrived and how many were capped, once", () => {
    const merge = mergeLines([line("a", 60)], [line("a", 60), line("b", 3)], { maxLines: 100, maxQuantity: 99 });
    const notices = mergeNotices(merge, 2, 99);
    expect(notices[0]).toMatchObject({ type: "merged", message: "42 items from your earlier visit were added; 1 was capped at 99" });
    expect(notices[1]).toMatchObject({ type: "quantity_capped", productId: "a", from: 120, to: 99 });
  });

  it("says nothing for an empty guest cart", () => {
    expect(mergeNotices(mergeLines([line("a", 1)], [], { maxLines: 100, maxQuantity: 99 }), 0, 99)).toEqual([]);
  });
});

describe("Idempotency-Key parsing", () => {
  it("accepts 1 to 255 printable ASCII characters and nothing else", () => {
    expect(parseIdempotencyKey(null)).toBeNull();
    expect(parseIdempotencyKey("a")).toBe("a");
    expect(parseIdempotencyKey("~".repeat(255))).toHaveLength(255);
    for (const bad of ["", "x".repeat(256), "caf\u00e9", "tab\there", "nul\u0000"]) {
      expect(() => parseIdempotencyKey(bad)).toThrow(AppError);
    }
  });

  it("fingerprints method, path and body", () => {
    const base = fingerprintOf("POST", "/api/cart/items", '{"productId":"a"}');
    expect(fingerprintOf("post", "/api/cart/items", '{"productId":"a"}')).toBe(base);
    expect(fingerprintOf("PATCH", "/api/cart/items", '{"productId":"a"}')).not.toBe(base);
    expect(fingerprintOf("POST", "/api/cart", '{"productId":"a"}')).not.toBe(base);
    expect(fingerprintOf("POST", "/api/cart/items", '{"productId":"b"}')).not.toBe(base);
  });
});

describe("the client's optimistic reducer", () => {
  const product = { name: "Tee", unitPrice: 2500, slug: "tee", image: "/tee.svg" };

  it("predicts an add with the server's rule and totals", () => {
    const cart = applyCartOp(emptyCartView(), { type: "add", productId: "tee", quantity: 2, product });
    expect(cart).toMatchObject({ itemCount: 2, subtotal: 5000, items: [{ productId: "tee", quantity: 2, lineTotal: 5000 }] });
    const more = applyCartOp(cart, { type: "add", productId: "tee", quantity: 1, product });
    expect(more.items[0]!.quantity).toBe(3);
  });

  it("leaves the cart as it is when the server would refuse", () => {
    const cart = applyCartOp(emptyCartView(), { type: "add", productId: "tee", quantity: 99, product });
    expect(applyCartOp(cart, { type: "add", productId: "tee", quantity: 1, product })).toEqual(cart);
    expect(applyCartOp(cart, { type: "set", productId: "missing", quantity: 1 })).toEqual(cart);
  });

  it("never lets an older answer replace a newer cart", () => {
    const older = { ...emptyCartView(), version: 3 };
    const newer = { ...emptyCartView(), version: 4 };
    expect(newerCart(newer, older)).toBe(newer);
    expect(newerCart(older, newer)).toBe(newer);
  });
});
