import { describe, expect, it } from "vitest";
import { packCart, unpackCart } from "@/lib/cart/cache";
import type { CartSnapshot } from "@/lib/cart/types";

const snapshot: CartSnapshot = {
  id: "783b6ef0-39ba-433f-b5bb-d3e9c67de3e4",
  userId: null,
  status: "active",
  version: 39,
  currency: "USD",
  updatedAt: "2026-12-02T04:12:55.924Z",
  note: null,
  lines: [
    { productId: "sku-tee-black-m", quantity: 5, addedUnitPrice: 2500, addedAt: "2026-12-02T04:12:44.588Z" },
    { productId: "sku-mug-stoneware", quantity: 1, addedUnitPrice: 2200, addedAt: "2026-12-02T04:12:50.001Z" },
  ],
};

describe("the cached cart's compact entry", () => {
  it("reads back exactly the snapshot it was made from, id and version from outside", () => {
    const text = packCart(snapshot);
    expect(unpackCart(snapshot.id, 39, text)).toEqual(snapshot);
    expect(unpackCart(snapshot.id, 39, packCart({ ...snapshot, userId: "u-1", status: "merged", lines: [] }))).toEqual({
      ...snapshot,
      userId: "u-1",
      status: "merged",
      lines: [],
    });
  });

  it("carries the note, the lines' properties and the ordered status (format 2)", () => {
    const withExtras: CartSnapshot = {
      ...snapshot,
      status: "ordered",
      note: "Gift wrap, please.",
      lines: [{ ...snapshot.lines[0]!, properties: { Engraving: "For Ada", Colour: "Red" } }, snapshot.lines[1]!],
    };
    expect(unpackCart(snapshot.id, 39, packCart(withExtras))).toEqual({
      ...withExtras,
      lines: [{ ...snapshot.lines[0]!, properties: { Colour: "Red", Engraving: "For Ada" } }, snapshot.lines[1]!],
    });
  });

  it("is not read from an earlier format's entry (no note field)", () => {
    expect(unpackCart(snapshot.id, 39, JSON.stringify([null, "active", "USD", 1, [["sku", 1, 100, 1]]]))).toBeNull();
  });

  it("is less than half the size of the snapshot as a JSON object", () => {
    expect(packCart(snapshot).length * 2).toBeLessThan(JSON.stringify(snapshot).length);
  });

  it("treats anything of another shape as a miss", () => {
    for (const text of [
      JSON.stringify(snapshot),
      "[]",
      JSON.stringify([null, "gone", "USD", 1, []]),
      JSON.stringify([null, "active", "USD", 1, [["sku", 1.5, 100, 1]]]),
      JSON.stringify([null, "active", "USD", "yesterday", []]),
      JSON.stringify([7, "active", "USD", 1, []]),
    ]) {
      expect(unpackCart(snapshot.id, 1, text)).toBeNull();
    }
  });
});
