import { describe, expect, it } from "vitest";
import { addLine, clearLines, mergeLines, removeLine, setLineQuantity } from "@/lib/cart/domain";
import type { CartLine } from "@/lib/cart/types";
import { buildCartView } from "@/lib/cart/view";
import { AppError } from "@/lib/errors";

const limits = { maxLines: 3, maxQuantity: 99 };
const now = "2026-11-27T22:00:00.000Z";
const line = (productId: string, quantity: number, addedUnitPrice = 1000): CartLine => ({ productId, quantity, addedUnitPrice, addedAt: now });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
  return undefined;
}

describe("addLine", () => {
  it("appends a new product with the catalog price", () => {
    const { lines, changed } = addLine([line("a", 1)], { productId: "b", quantity: 2, unitPrice: 550, now }, limits);
    expect(changed).toBe(true);
    expect(lines).toEqual([line("a", 1), { productId: "b", quantity: 2, addedUnitPrice: 550, addedAt: now }]);
  });

  it("adds up quantities on an existing line and keeps its first price and position", () => {
    const { lines } = addLine([line("a", 1, 900), line("b", 1)], { productId: "a", quantity: 4, unitPrice: 1200, now: "later" }, limits);
    expect(lines).toEqual([line("a", 5, 900), line("b", 1)]);
  });

  it("refuses a line above the per-line maximum, and a line beyond the line limit", () => {
    expect(codeOf(() => addLine([line("a", 98)], { productId: "a", quantity: 2, unitPrice: 1, now }, limits))).toBe("QUANTITY_LIMIT");
    expect(codeOf(() => addLine([], { productId: "a", quantity: 100, unitPrice: 1, now }, limits))).toBe("QUANTITY_LIMIT");
    const full = [line("a", 1), line("b", 1), line("c", 1)];
    expect(codeOf(() => addLine(full, { productId: "d", quantity: 1, unitPrice: 1, now }, limits))).toBe("LINE_LIMIT");
    expect(addLine(full, { productId: "c", quantity: 1, unitPrice: 1, now }, limits).lines[2]!.quantity).toBe(2);
  });

  it("does not mutate its input", () => {
    const input = Object.freeze([Object.freeze(line("a", 1))]);
    addLine(input, { productId: "a", quantity: 1, unitPrice: 1, now }, limits);
    expect(input[0]!.quantity).toBe(1);
  });
});

describe("setLineQuantity", () => {
  it("sets, treats the same quantity as no change, and removes with 0", () => {
    const lines = [line("a", 1), line("b", 2)];
    expect(setLineQuantity(lines, "a", 7, limits)).toEqual({ lines: [line("a", 7), line("b", 2)], changed: true });
    expect(setLineQuantity(lines, "b", 2, limits).changed).toBe(false);
    expect(setLineQuantity(lines, "a", 0, limits)).toEqual({ lines: [line("b", 2)], changed: true });
  });

  it("answers ITEM_NOT_FOUND for a missing line and QUANTITY_LIMIT above the cap", () => {
    expect(codeOf(() => setLineQuantity([], "a", 1, limits))).toBe("ITEM_NOT_FOUND");
    expect(codeOf(() => setLineQuantity([line("a", 1)], "a", 100, limits))).toBe("QUANTITY_LIMIT");
  });
});

describe("removeLine and clearLines", () => {
  it("removing a missing line changes nothing", () => {
    expect(removeLine([line("a", 1)], "b")).toEqual({ lines: [line("a", 1)], changed: false });
    expect(removeLine([line("a", 1)], "a")).toEqual({ lines: [], changed: true });
  });

  it("clearing an empty cart changes nothing", () => {
    expect(clearLines([]).changed).toBe(false);
    expect(clearLines([line("a", 1)])).toEqual({ lines: [], changed: true });
  });
});

describe("mergeLines", () => {
  it("adds disjoint lines after the target's and sums overlapping ones", () => {
    const result = mergeLines([line("a", 1)], [line("b", 2), line("a", 3)], limits);
    expect(result.lines).toEqual([line("a", 4), line("b", 2)]);
    expect(result.addedUnits).toBe(5);
    expect(result.capped).toEqual([]);
  });

  it("caps at the per-line maximum and reports it", () => {
    const result = mergeLines([line("a", 60)], [line("a", 60)], limits);
    expect(result.lines).toEqual([line("a", 99)]);
    expect(result.capped).toEqual([{ productId: "a", from: 120, to: 99 }]);
  });

  it("drops lines beyond the line limit instead of failing, and merging nothing changes nothing", () => {
    const result = mergeLines([line("a", 1), line("b", 1), line("c", 1)], [line("d", 1)], limits);
    expect(result.dropped).toEqual(["d"]);
    expect(mergeLines([line("a", 1)], [], limits).changed).toBe(false);
  });
});

describe("buildCartView", () => {
  const catalog = new Map([
    ["a", { id: "a", slug: "a", name: "A", description: "", price: 1200, currency: "USD", active: true, image: "/a.svg" }],
    ["b", { id: "b", slug: "b", name: "B", description: "", price: 500, currency: "USD", active: false, image: "/b.svg" }],
  ]);
  const snapshot = { id: "c1", userId: null, status: "active" as const, version: 4, currency: "USD", updatedAt: now, lines: [line("a", 2, 1000), line("b", 3, 500)] };

  it("prices lines from the catalog and leaves unavailable lines out of the subtotal", () => {
    const view = buildCartView(snapshot, catalog);
    expect(view).toMatchObject({ id: "c1", version: 4, itemCount: 5, subtotal: 2400, updatedAt: now });
    expect(view.items[0]).toMatchObject({ productId: "a", unitPrice: 1200, addedUnitPrice: 1000, lineTotal: 2400, available: true });
    expect(view.items[1]).toMatchObject({ productId: "b", available: false, lineTotal: 1500 });
  });

  it("explains price changes and unavailable products as notices", () => {
    const types = buildCartView(snapshot, catalog).notices.map((n) => n.type);
    expect(types).toEqual(["price_changed", "unavailable"]);
    expect(buildCartView(snapshot, catalog).notices[0]).toMatchObject({ productId: "a", from: 1000, to: 1200 });
  });
});
