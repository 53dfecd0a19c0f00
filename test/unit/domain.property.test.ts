import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addLine, clearLines, mergeLines, removeLine, setLineQuantity } from "@/lib/cart/domain";
import type { CartLimits, CartLine } from "@/lib/cart/types";
import { AppError } from "@/lib/errors";

/**
 * The pure cart rules against a reference model (a Map productId →
 * quantity, whose key order is the order of first adds), over random
 * sequences of valid and invalid operations with small limits so the
 * limits are hit often.
 */
const limits: CartLimits = { maxLines: 4, maxQuantity: 7 };
const PRODUCTS = ["p-a", "p-b", "p-c", "p-d", "p-e", "p-f"] as const;

type Op =
  | { kind: "add"; productId: string; quantity: number; unitPrice: number }
  | { kind: "set"; productId: string; quantity: number }
  | { kind: "remove"; productId: string }
  | { kind: "clear" }
  | { kind: "merge"; source: { productId: string; quantity: number; unitPrice: number }[] };

const productArb = fc.constantFrom(...PRODUCTS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("add" as const), productId: productArb, quantity: fc.integer({ min: 1, max: limits.maxQuantity + 2 }), unitPrice: fc.integer({ min: 0, max: 100_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), productId: productArb, quantity: fc.integer({ min: 0, max: limits.maxQuantity + 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), productId: productArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("merge" as const),
      source: fc.uniqueArray(
        fc.record({ productId: productArb, quantity: fc.integer({ min: 1, max: limits.maxQuantity + 3 }), unitPrice: fc.integer({ min: 0, max: 100_000 }) }),
        { selector: (l) => l.productId, maxLength: PRODUCTS.length },
      ),
    }),
  },
);

/** What the model says an operation does: the next state, or the error code it must raise. */
type Outcome = { error: string } | { next: Map<string, number>; changed: boolean };

function modelApply(state: ReadonlyMap<string, number>, op: Op): Outcome {
  const next = new Map(state);
  switch (op.kind) {
    case "add": {
      const quantity = (state.get(op.productId) ?? 0) + op.quantity;
      if (quantity > limits.maxQuantity) return { error: "QUANTITY_LIMIT" };
      if (!state.has(op.productId) && state.size >= limits.maxLines) return { error: "LINE_LIMIT" };
      next.set(op.productId, quantity);
      return { next, changed: true };
    }
    case "set": {
      const current = state.get(op.productId);
      if (current === undefined) return { error: "ITEM_NOT_FOUND" };
      if (op.quantity === 0) {
        next.delete(op.productId);
        return { next, changed: true };
      }
      if (op.quantity > limits.maxQuantity) return { error: "QUANTITY_LIMIT" };
      next.set(op.productId, op.quantity);
      return { next, changed: current !== op.quantity };
    }
    case "remove":
      next.delete(op.productId);
      return { next, changed: state.has(op.productId) };
    case "clear":
      return { next: new Map(), changed: state.size > 0 };
    case "merge": {
      let added = 0;
      for (const line of op.source) {
        const current = next.get(line.productId);
        const quantity = Math.min((current ?? 0) + line.quantity, limits.maxQuantity);
        if (current !== undefined) {
          added += quantity - current;
          next.set(line.productId, quantity);
        } else if (next.size < limits.maxLines) {
          added += quantity;
          next.set(line.productId, quantity);
        }
      }
      return { next, changed: added > 0 };
    }
  }
}

const stamp = (n: number) => new Date(Date.UTC(2026, 10, 27, 0, 0, n)).toISOString();

/** Runs the real rule; returns its result or the AppError code it threw. */
function realApply(lines: readonly CartLine[], op: Op, step: number): { error: string } | { lines: CartLine[]; changed: boolean } {
  try {
    switch (op.kind) {
      case "add":
        return addLine(lines, { productId: op.productId, quantity: op.quantity, unitPrice: op.unitPrice, now: stamp(step) }, limits);
      case "set":
        return setLineQuantity(lines, op.productId, op.quantity, limits);
      case "remove":
        return removeLine(lines, op.productId);
      case "clear":
        return clearLines(lines);
      case "merge":
        return mergeLines(
          lines,
          op.source.map((l) => ({ productId: l.productId, quantity: l.quantity, addedUnitPrice: l.unitPrice, addedAt: stamp(step) })),
          limits,
        );
    }
  } catch (err) {
    if (err instanceof AppError) return { error: err.code };
    throw err;
  }
}

const freeze = (lines: CartLine[]): readonly CartLine[] => Object.freeze(lines.map((l) => Object.freeze({ ...l })));

describe("cart rules against a reference model (fast-check)", () => {
  it("agree with the model on every step, keep the invariants, and leave the state alone on errors", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        let model = new Map<string, number>();
        let lines: readonly CartLine[] = freeze([]);
        /** Price and time of each line's first add: later adds and merges must keep them. */
        const firstAdded = new Map<string, { addedUnitPrice: number; addedAt: string }>();

        ops.forEach((op, step) => {
          const expected = modelApply(model, op);
          const before = JSON.stringify(lines);
          const actual = realApply(lines, op, step); // frozen input: a mutation would throw

          expect(JSON.stringify(lines), "the input is never changed").toBe(before);
          if ("error" in expected) {
            expect(actual, `step ${step}: ${JSON.stringify(op)}`).toEqual({ error: expected.error });
            return; // the state stays as it was
          }
          if ("error" in actual) throw new Error(`step ${step}: ${JSON.stringify(op)} threw ${actual.error}, the model did not`);
          expect(actual.changed, `step ${step}: changed for ${JSON.stringify(op)}`).toBe(expected.changed);
          // The same lines, in the order of first adds (the model's key order).
          expect(actual.lines.map((l) => [l.productId, l.quantity])).toEqual([...expected.next]);
          // Invariants.
          expect(new Set(actual.lines.map((l) => l.productId)).size).toBe(actual.lines.length);
          expect(actual.lines.length).toBeLessThanOrEqual(limits.maxLines);
          for (const l of actual.lines) {
            expect(Number.isInteger(l.quantity)).toBe(true);
            expect(l.quantity).toBeGreaterThanOrEqual(1);
            expect(l.quantity).toBeLessThanOrEqual(limits.maxQuantity);
            const first = firstAdded.get(l.productId);
            if (first) expect({ addedUnitPrice: l.addedUnitPrice, addedAt: l.addedAt }).toEqual(first);
            else firstAdded.set(l.productId, { addedUnitPrice: l.addedUnitPrice, addedAt: l.addedAt });
          }
          for (const id of [...firstAdded.keys()]) if (!expected.next.has(id)) firstAdded.delete(id);
          if (!actual.changed) expect(actual.lines).toEqual(lines);
          model = expected.next;
          lines = freeze(actual.lines);
        });
      }),
      { numRuns: 600 },
    );
  });

  it("merge reports what it capped and dropped, and adds exactly the units it says", () => {
    const linesArb = fc
      .uniqueArray(fc.record({ productId: productArb, quantity: fc.integer({ min: 1, max: limits.maxQuantity }) }), { selector: (l) => l.productId, maxLength: limits.maxLines })
      .map((ls) => ls.map((l) => ({ ...l, addedUnitPrice: 100, addedAt: stamp(0) })));
    const sourceArb = fc
      .uniqueArray(fc.record({ productId: productArb, quantity: fc.integer({ min: 1, max: limits.maxQuantity + 3 }) }), { selector: (l) => l.productId, maxLength: PRODUCTS.length })
      .map((ls) => ls.map((l) => ({ ...l, addedUnitPrice: 200, addedAt: stamp(1) })));
    fc.assert(
      fc.property(linesArb, sourceArb, (target, source) => {
        const result = mergeLines(freeze(target), freeze(source), limits);
        const units = (ls: readonly CartLine[]) => ls.reduce((n, l) => n + l.quantity, 0);
        expect(units(result.lines) - units(target)).toBe(result.addedUnits);
        expect(result.changed).toBe(result.addedUnits > 0);
        for (const c of result.capped) {
          expect(c.to).toBe(limits.maxQuantity);
          expect(c.from).toBeGreaterThan(limits.maxQuantity);
        }
        for (const id of result.dropped) {
          expect(target.some((l) => l.productId === id)).toBe(false);
          expect(result.lines.some((l) => l.productId === id)).toBe(false);
        }
        // Every source product is in the result unless it was dropped.
        for (const l of source) expect(result.lines.some((r) => r.productId === l.productId) !== result.dropped.includes(l.productId)).toBe(true);
        // Merging the same source into the result again never lowers a quantity and never adds a line past the limit.
        const again = mergeLines(freeze(result.lines), freeze(source), limits);
        expect(again.lines.length).toBeLessThanOrEqual(limits.maxLines);
        for (const l of result.lines) expect(again.lines.find((a) => a.productId === l.productId)!.quantity).toBeGreaterThanOrEqual(l.quantity);
      }),
      { numRuns: 400 },
    );
  });
});
