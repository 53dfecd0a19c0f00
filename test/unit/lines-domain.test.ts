import { describe, expect, it } from "vitest";
import {
  addLine,
  canonicalProperties,
  defaultLimits,
  lineIdOf,
  lineKeyOf,
  linesAfterSnapshot,
  mergeLines,
  mergeNotes,
  removeLine,
  setLineQuantity,
  setNote,
} from "@/lib/cart/domain";
import type { CartLine } from "@/lib/cart/types";

const at = "2026-12-07T00:00:00.000Z";
const plain = (productId: string, quantity: number): CartLine => ({ productId, quantity, addedUnitPrice: 100, addedAt: at });
const withProps = (productId: string, quantity: number, properties: Record<string, string>): CartLine => ({ ...plain(productId, quantity), properties });

describe("a line's identity: the product with its canonical properties", () => {
  it("is the product's id without properties, and product~hash with them, whatever the key order", () => {
    expect(lineIdOf({ productId: "mug" })).toBe("mug");
    expect(lineIdOf({ productId: "mug", properties: {} })).toBe("mug");
    expect(lineKeyOf({})).toBe("");
    const a = lineIdOf({ productId: "mug", properties: { Engraving: "Ada", Colour: "Red" } });
    const b = lineIdOf({ productId: "mug", properties: { Colour: "Red", Engraving: "Ada" } });
    expect(a).toBe(b);
    expect(a).toMatch(/^mug~[a-z0-9]{22}$/);
    expect(lineIdOf({ productId: "mug", properties: { Engraving: "Bob" } })).not.toBe(a);
    // Keys and values are told apart: {"a": "b:c"} is not {"a:b": "c"}.
    expect(lineKeyOf({ a: "b:c" })).not.toBe(lineKeyOf({ "a:b": "c" }));
    expect(Object.keys(canonicalProperties({ z: "1", a: "2" }))).toEqual(["a", "z"]);
  });

  it("adds up the same product with the same properties, and keeps other properties on their own line (the one rule, for add and merge)", () => {
    let lines: CartLine[] = [];
    lines = addLine(lines, { productId: "mug", quantity: 1, unitPrice: 100, now: at }, defaultLimits).lines;
    lines = addLine(lines, { productId: "mug", properties: { E: "Ada" }, quantity: 2, unitPrice: 100, now: at }, defaultLimits).lines;
    lines = addLine(lines, { productId: "mug", properties: { E: "Ada" }, quantity: 1, unitPrice: 100, now: at }, defaultLimits).lines;
    expect(lines.map((l) => [lineIdOf(l), l.quantity])).toEqual([
      ["mug", 1],
      [lineIdOf({ productId: "mug", properties: { E: "Ada" } }), 3],
    ]);
    // A line without properties is stored as it always was (no properties key).
    expect(lines[0]).not.toHaveProperty("properties");
    const merged = mergeLines(lines, [withProps("mug", 2, { E: "Ada" }), withProps("mug", 1, { E: "Bob" }), plain("mug", 1)], defaultLimits);
    expect(merged.lines.map((l) => [l.properties ?? {}, l.quantity])).toEqual([
      [{}, 2],
      [{ E: "Ada" }, 5],
      [{ E: "Bob" }, 1],
    ]);
  });

  it("sets and removes a line by its lineId; a product's id names its line without properties", () => {
    const lines = [plain("mug", 1), withProps("mug", 2, { E: "Ada" })];
    const id = lineIdOf(lines[1]!);
    expect(setLineQuantity(lines, id, 5, defaultLimits).lines.map((l) => l.quantity)).toEqual([1, 5]);
    expect(setLineQuantity(lines, "mug", 4, defaultLimits).lines.map((l) => l.quantity)).toEqual([4, 2]);
    expect(removeLine(lines, "mug").lines).toEqual([lines[1]]);
    expect(() => setLineQuantity([lines[1]!], "mug", 1, defaultLimits)).toThrow(expect.objectContaining({ code: "ITEM_NOT_FOUND", details: { productId: "mug" } }));
    expect(() => setLineQuantity([lines[0]!], id, 1, defaultLimits)).toThrow(expect.objectContaining({ code: "ITEM_NOT_FOUND", details: { lineId: id } }));
  });
});

describe("the note", () => {
  it("is set, cleared by null or an empty string, and unchanged by the same note", () => {
    expect(setNote([], null, "Hi")).toMatchObject({ changed: true, note: "Hi" });
    expect(setNote([], "Hi", "Hi")).toMatchObject({ changed: false, note: "Hi" });
    expect(setNote([], "Hi", "")).toMatchObject({ changed: true, note: null });
    expect(setNote([], "Hi", null)).toMatchObject({ changed: true, note: null });
    expect(setNote([], null, null)).toMatchObject({ changed: false });
  });

  it("of the signed-in cart wins a merge when both carts have one", () => {
    expect(mergeNotes("user", "guest")).toBe("user");
    expect(mergeNotes(null, "guest")).toBe("guest");
    expect(mergeNotes(null, null)).toBeNull();
  });
});

describe("what a completed checkout leaves in the cart", () => {
  it("is each line's quantity beyond the snapshot's; lines at or below it are left out", () => {
    const engraved = withProps("mug", 1, { E: "Ada" });
    const current = [plain("tee", 3), plain("mug", 1), engraved, plain("hat", 2)];
    const snapshot = [
      { lineId: "tee", quantity: 2 },
      { lineId: "mug", quantity: 4 },
      { lineId: "sock", quantity: 1 },
    ];
    expect(linesAfterSnapshot(current, snapshot)).toEqual([plain("tee", 1), engraved, plain("hat", 2)]);
    expect(linesAfterSnapshot(current, current.map((l) => ({ lineId: lineIdOf(l), quantity: l.quantity })))).toEqual([]);
  });
});
