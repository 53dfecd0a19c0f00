import { AppError } from "../errors";
import type { CartLimits, CartLine } from "./types";

// The cart's rules, pure: no I/O, no clock (callers pass `now`). The service
// applies them to a locked cart; the client's optimistic reducer mirrors them.
export interface LineChange {
  lines: CartLine[];
  changed: boolean;
}

export const defaultLimits: CartLimits = { maxLines: 100, maxQuantity: 99 };

export function findLine(lines: readonly CartLine[], productId: string): CartLine | undefined {
  return lines.find((l) => l.productId === productId);
}

// The one rule for adding a product to lines, used by an add and, line by line, by a merge:
// the same product sums its quantities, a new one appends a line. What happens past a limit is
// the caller's: an add refuses (the shopper asked for it), a merge caps or drops (it never loses
// the whole cart over one line).
type Placement =
  | { kind: "placed"; lines: CartLine[]; previous: number; quantity: number; wanted: number }
  | { kind: "no_room"; previous: 0; wanted: number };

function place(lines: readonly CartLine[], incoming: CartLine, limits: CartLimits): Placement {
  const existing = findLine(lines, incoming.productId);
  const previous = existing?.quantity ?? 0;
  const wanted = previous + incoming.quantity;
  const quantity = Math.min(wanted, limits.maxQuantity);
  if (existing) return { kind: "placed", lines: lines.map((l) => (l === existing ? { ...l, quantity } : l)), previous, quantity, wanted };
  if (lines.length >= limits.maxLines) return { kind: "no_room", previous: 0, wanted };
  return { kind: "placed", lines: [...lines, { ...incoming, quantity }], previous, quantity, wanted };
}

// Same product → quantities add up; a new product appends a line. Over a limit is an error.
export function addLine(
  lines: readonly CartLine[],
  add: { productId: string; quantity: number; unitPrice: number; now: string },
  limits: CartLimits,
): LineChange {
  const placed = place(lines, { productId: add.productId, quantity: add.quantity, addedUnitPrice: add.unitPrice, addedAt: add.now }, limits);
  if (placed.wanted > limits.maxQuantity) {
    throw new AppError("QUANTITY_LIMIT", `At most ${limits.maxQuantity} of one product fit in a cart line.`, {
      productId: add.productId,
      maxQuantity: limits.maxQuantity,
      currentQuantity: placed.previous,
    });
  }
  if (placed.kind === "no_room") {
    throw new AppError("LINE_LIMIT", `A cart holds at most ${limits.maxLines} different products.`, { maxLines: limits.maxLines });
  }
  return { lines: placed.lines, changed: true };
}

// Sets a line's quantity; 0 removes it; the same quantity changes nothing.
export function setLineQuantity(lines: readonly CartLine[], productId: string, quantity: number, limits: CartLimits): LineChange {
  const existing = findLine(lines, productId);
  if (!existing) throw new AppError("ITEM_NOT_FOUND", "That product is not in the cart.", { productId });
  if (quantity === 0) return removeLine(lines, productId);
  if (quantity > limits.maxQuantity) {
    throw new AppError("QUANTITY_LIMIT", `At most ${limits.maxQuantity} of one product fit in a cart line.`, {
      productId,
      maxQuantity: limits.maxQuantity,
    });
  }
  if (existing.quantity === quantity) return { lines: [...lines], changed: false };
  return { lines: lines.map((l) => (l === existing ? { ...l, quantity } : l)), changed: true };
}

// Removing a line that is already gone changes nothing (and is not an error).
export function removeLine(lines: readonly CartLine[], productId: string): LineChange {
  const next = lines.filter((l) => l.productId !== productId);
  return { lines: next, changed: next.length !== lines.length };
}

export function clearLines(lines: readonly CartLine[]): LineChange {
  return { lines: [], changed: lines.length > 0 };
}

export interface MergeResult extends LineChange {
  // Units that arrived from the source cart.
  addedUnits: number;
  // Lines whose summed quantity was capped at the per-line maximum.
  capped: { productId: string; from: number; to: number }[];
  // Source lines dropped because the target reached the line limit.
  dropped: string[];
}

// The add rule applied line by line, capping at the per-line maximum and dropping what does not fit.
export function mergeLines(target: readonly CartLine[], source: readonly CartLine[], limits: CartLimits): MergeResult {
  let lines: CartLine[] = [...target];
  let addedUnits = 0;
  const capped: MergeResult["capped"] = [];
  const dropped: string[] = [];
  for (const incoming of source) {
    const placed = place(lines, incoming, limits);
    if (placed.kind === "no_room") {
      dropped.push(incoming.productId);
      continue;
    }
    if (placed.wanted > placed.quantity) capped.push({ productId: incoming.productId, from: placed.wanted, to: placed.quantity });
    addedUnits += placed.quantity - placed.previous;
    lines = placed.lines;
  }
  return { lines, changed: addedUnits > 0, addedUnits, capped, dropped };
}
