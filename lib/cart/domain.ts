import { AppError } from "../errors";
import type { CartLimits, CartLine, LineProperties } from "./types";

// The cart's rules, pure: no I/O, no clock (callers pass `now`). The service
// applies them to a locked cart; the client's optimistic reducer mirrors them.
export interface LineChange {
  lines: CartLine[];
  changed: boolean;
  // The cart's new note, when the change sets it (undefined: the note is left as it is).
  note?: string | null;
}

export const defaultLimits: CartLimits = { maxLines: 100, maxQuantity: 99 };

// ---- Line identity ----------------------------------------------------------------------
// A line is a product with its properties. Properties are canonical (keys sorted), so the same
// choices in another order are the same line. The identity is kept in Postgres as (product_id,
// line_key): line_key is '' without properties (every line written before properties existed
// keeps working), else a hash of the canonical properties. The contract's lineId is the
// product's id alone for a line without properties (so /cart/items/{productId} and
// /cart/lines/{productId} name the same line), else `productId~lineKey`: product ids never hold
// "~". Pure and synchronous (the browser's optimistic reducer computes it too).

export const NO_PROPERTIES: LineProperties = Object.freeze({}) as LineProperties;

export function canonicalProperties(properties: Readonly<Record<string, string>> | null | undefined): LineProperties {
  if (!properties) return {};
  const keys = Object.keys(properties).sort();
  const out: LineProperties = {};
  for (const key of keys) out[key] = properties[key]!;
  return out;
}

// cyrb53 (a public-domain 53-bit string hash), with a seed.
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// '' without properties; else 22 characters of base 36 (two 53-bit hashes of the canonical JSON).
export function lineKeyOf(properties: Readonly<Record<string, string>> | null | undefined): string {
  if (!properties) return "";
  const canonical = canonicalProperties(properties);
  if (Object.keys(canonical).length === 0) return "";
  const text = JSON.stringify(Object.entries(canonical));
  return cyrb53(text, 1).toString(36).padStart(11, "0") + cyrb53(text, 2).toString(36).padStart(11, "0");
}

export function lineIdOf(line: { productId: string; properties?: Readonly<Record<string, string>> | null }): string {
  const key = lineKeyOf(line.properties);
  return key === "" ? line.productId : `${line.productId}~${key}`;
}

// A line with its properties canonical, and left out when there are none (a line as it always was).
export function withProperties(line: Omit<CartLine, "properties">, properties: Readonly<Record<string, string>> | null | undefined): CartLine {
  const canonical = canonicalProperties(properties);
  return Object.keys(canonical).length > 0 ? { ...line, properties: canonical } : line;
}

function withCanonicalProperties({ properties, ...rest }: CartLine): CartLine {
  return withProperties(rest, properties);
}

export function findLine(lines: readonly CartLine[], lineId: string): CartLine | undefined {
  return lines.find((l) => lineIdOf(l) === lineId);
}

// The one rule for adding a product to lines, used by an add and, line by line, by a merge:
// the same product with the same properties (one lineId) sums its quantities, anything else appends a line. What happens past a limit is
// the caller's: an add refuses (the shopper asked for it), a merge caps or drops (it never loses
// the whole cart over one line).
type Placement =
  | { kind: "placed"; lines: CartLine[]; previous: number; quantity: number; wanted: number }
  | { kind: "no_room"; previous: 0; wanted: number };

function place(lines: readonly CartLine[], incoming: CartLine, limits: CartLimits): Placement {
  const existing = findLine(lines, lineIdOf(incoming));
  const previous = existing?.quantity ?? 0;
  const wanted = previous + incoming.quantity;
  const quantity = Math.min(wanted, limits.maxQuantity);
  if (existing) return { kind: "placed", lines: lines.map((l) => (l === existing ? { ...l, quantity } : l)), previous, quantity, wanted };
  if (lines.length >= limits.maxLines) return { kind: "no_room", previous: 0, wanted };
  return { kind: "placed", lines: [...lines, withCanonicalProperties({ ...incoming, quantity })], previous, quantity, wanted };
}

// Same product and properties → quantities add up; anything else appends a line. Over a limit is an error.
export function addLine(
  lines: readonly CartLine[],
  add: { productId: string; properties?: Readonly<Record<string, string>>; quantity: number; unitPrice: number; now: string },
  limits: CartLimits,
): LineChange {
  const placed = place(lines, { productId: add.productId, properties: add.properties, quantity: add.quantity, addedUnitPrice: add.unitPrice, addedAt: add.now }, limits);
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

// Sets a line's quantity (the line named by its lineId: a product's id names its line without
// properties); 0 removes it; the same quantity changes nothing.
export function setLineQuantity(lines: readonly CartLine[], lineId: string, quantity: number, limits: CartLimits): LineChange {
  const existing = findLine(lines, lineId);
  if (!existing) {
    throw lineId.includes("~")
      ? new AppError("ITEM_NOT_FOUND", "That line is not in the cart.", { lineId })
      : new AppError("ITEM_NOT_FOUND", "That product is not in the cart.", { productId: lineId });
  }
  if (quantity === 0) return removeLine(lines, lineId);
  if (quantity > limits.maxQuantity) {
    throw new AppError("QUANTITY_LIMIT", `At most ${limits.maxQuantity} of one product fit in a cart line.`, {
      productId: existing.productId,
      maxQuantity: limits.maxQuantity,
    });
  }
  if (existing.quantity === quantity) return { lines: [...lines], changed: false };
  return { lines: lines.map((l) => (l === existing ? { ...l, quantity } : l)), changed: true };
}

// Removing a line that is already gone changes nothing (and is not an error).
export function removeLine(lines: readonly CartLine[], lineId: string): LineChange {
  const next = lines.filter((l) => lineIdOf(l) !== lineId);
  return { lines: next, changed: next.length !== lines.length };
}

export function clearLines(lines: readonly CartLine[]): LineChange {
  return { lines: [], changed: lines.length > 0 };
}

// The note (at most MAX_NOTE_LENGTH characters, lib/cart/types.ts): null or "" clears it; the same note changes nothing.
export function normalizeNote(note: string | null | undefined): string | null {
  return note === undefined || note === null || note === "" ? null : note;
}

export function setNote(lines: readonly CartLine[], current: string | null, note: string | null | undefined): LineChange {
  const next = normalizeNote(note);
  return { lines: [...lines], changed: next !== current, note: next };
}

// The note after a sign-in merge: the signed-in cart's note wins when both have one.
export function mergeNotes(target: string | null, source: string | null): string | null {
  return target ?? source;
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

// What a completed checkout leaves in the cart: what was added after its snapshot. Each line's
// quantity minus the snapshot's (by lineId); a difference of zero or less leaves the line out.
export function linesAfterSnapshot(current: readonly CartLine[], snapshot: readonly { lineId: string; quantity: number }[]): CartLine[] {
  const taken = new Map<string, number>();
  for (const line of snapshot) taken.set(line.lineId, (taken.get(line.lineId) ?? 0) + line.quantity);
  return current.flatMap((line) => {
    const quantity = line.quantity - (taken.get(lineIdOf(line)) ?? 0);
    return quantity > 0 ? [{ ...line, quantity }] : [];
  });
}
