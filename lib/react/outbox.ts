import { z } from "./zod";
import type { CartView } from "../cart/types";
import { lineIdOf } from "../cart/domain";
import { isWholeCartOp, type CartOp } from "./cart-reducer";

// The provider's outbox: the cart changes the shopper made that the server has
// not confirmed yet, in order. Pure (no React, no timers): the provider keeps
// one request in flight and folds what the shopper does meanwhile into the
// queued change for the same line, so 50 clicks on "+" cost a handful of
// requests while the optimistic view shows every click at once.
//
// Folding rules, per line (see lineKey):
//   add a, then add b      → add a+b
//   set s, then add b      → set s+b
//   add / set, then set s  → set s (an add folds so only when the server already has the line)
//   add / set, then remove → remove (a remove wins over earlier changes to that line)
// Nothing folds into a change already sent (its answer may be on its way, or
// lost: it is resent as it was, with its own key), into a remove (a later add
// starts a new line), or across a "clear". Each queued change has its own
// Idempotency-Key, kept with it in storage, so a resend applies once.

// A change made while another is in flight or queued (a burst of clicks) leaves when the shopper
// pauses for QUIET_MS, and no sooner than MIN_SPACING_MS after the burst's previous request (a
// busy page can see short pauses mid-burst), but never waits more than MAX_HOLD_MS: a burst's requests
// are at least MIN_SPACING_MS apart, so 50 clicks within 2 s cost at most three. A change made when
// nothing is pending leaves at once, unless the last request, under MIN_SPACING_MS ago, was to the same line.
export const QUIET_MS = 400;
export const MIN_SPACING_MS = 1500;
export const MAX_HOLD_MS = 3000;

// The last request that left: when, and which line it was about (null: the whole cart).
export interface LastSent {
  at: number;
  line: string | null;
}

// When a change to `line` may leave: at once when it starts a burst (nothing pending, and the last
// request was not to the same line within MIN_SPACING_MS: an answer that came back mid-burst does
// not start a new burst), else per the pacing above. createdAt is when the queued change it folds
// into was made.
export function sendAt(change: { now: number; createdAt: number; line: string | null; nothingPending: boolean }, last: LastSent): number {
  const { now, createdAt, line, nothingPending } = change;
  const sameLine = line !== null && line === last.line;
  if (nothingPending && (!sameLine || now - last.at >= MIN_SPACING_MS)) return now;
  return Math.min(Math.max(now + QUIET_MS, last.at + MIN_SPACING_MS), createdAt + MAX_HOLD_MS);
}

export type OutboxAction = "add" | "setQuantity" | "remove" | "clear" | "note";

export interface OutboxEntry {
  // The Idempotency-Key this change is sent with, every time.
  key: string;
  action: OutboxAction;
  // What the change means to the optimistic view; null for input only the server can judge.
  op: CartOp | null;
  // The form's own fields (productId, returnTo, …); quantity is taken from op when there is one.
  fields: Record<string, string>;
  // Which line the change is about (null: the whole cart, or no prediction).
  line: string | null;
  // Set once the change has left the browser: nothing folds into it any more.
  sent: boolean;
  // The control whose note shows this change's outcome, and the words that announce success.
  control?: string;
  success?: string;
  openDrawer?: boolean;
}

// The one place that says which changes are to the same line: its lineId (the product with its
// canonical properties, lib/cart/domain.ts lineIdOf). An add names its line by its properties; a
// quantity set or a remove by the lineId it was given (none: the product's line without properties).
export function lineKey(change: { productId: string; lineId?: string; properties?: Record<string, string> }): string {
  return change.lineId ?? lineIdOf({ productId: change.productId, properties: change.properties });
}

export function opLineKey(op: CartOp | null): string | null {
  if (!op || isWholeCartOp(op)) return null;
  return lineKey(op);
}

export function actionOf(op: CartOp): OutboxAction {
  switch (op.type) {
    case "add":
      return "add";
    case "set":
      return "setQuantity";
    case "remove":
      return "remove";
    case "clear":
      return "clear";
    case "note":
      return "note";
  }
}

// Two changes to one line as one, or null when they do not fold.
export function foldOps(earlier: CartOp, later: CartOp, lineOnServer: boolean): CartOp | null {
  if (isWholeCartOp(earlier) || isWholeCartOp(later)) return null;
  if (lineKey(earlier) !== lineKey(later)) return null;
  if (earlier.type === "remove") return null;
  if (later.type === "remove") return later;
  if (later.type === "set") {
    if (earlier.type === "add" && !lineOnServer) return { ...earlier, quantity: later.quantity };
    return later;
  }
  // later is an add
  if (earlier.type === "add") return { ...earlier, quantity: earlier.quantity + later.quantity, product: earlier.product ?? later.product };
  return { ...earlier, quantity: earlier.quantity + later.quantity };
}

// The queue after the shopper makes one more change: folded into the last
// unsent change to the same line when it can be, else appended.
export function enqueue(queue: readonly OutboxEntry[], entry: OutboxEntry, confirmed: CartView): { queue: OutboxEntry[]; folded: boolean } {
  const line = entry.line;
  if (entry.op && line !== null) {
    for (let i = queue.length - 1; i >= 0; i -= 1) {
      const earlier = queue[i]!;
      if (earlier.action === "clear") break;
      if (earlier.line !== line) continue;
      if (earlier.sent || !earlier.op) break;
      const lineOnServer = confirmed.items.some((item) => lineKey(item) === line);
      const op = foldOps(earlier.op, entry.op, lineOnServer);
      if (!op) break;
      const merged: OutboxEntry = {
        ...earlier,
        op,
        action: actionOf(op),
        fields: { ...earlier.fields, ...entry.fields },
        control: entry.control ?? earlier.control,
        success: entry.success ?? earlier.success,
        openDrawer: earlier.openDrawer || entry.openDrawer,
      };
      const next = [...queue];
      next[i] = merged;
      return { queue: next, folded: true };
    }
  }
  return { queue: [...queue, entry], folded: false };
}

// The form fields a queued change is sent with: the same ones on every attempt (the
// server compares them with the first attempt's under the same key).
export function fieldsToSend(entry: OutboxEntry): FormData {
  const data = new FormData();
  const fields: Record<string, string> = { ...entry.fields };
  const op = entry.op;
  if (op && (op.type === "add" || op.type === "set")) fields.quantity = String(op.quantity);
  if (op && !isWholeCartOp(op)) fields.productId = op.productId;
  if (op && (op.type === "set" || op.type === "remove") && op.lineId) fields.lineId = op.lineId;
  if (op?.type === "remove" || op?.type === "clear") delete fields.quantity;
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  data.set("js", "1");
  data.set("idempotencyKey", entry.key);
  return data;
}

// ---- Kept in the browser's storage, so a reload or a lost connection loses nothing ----

const cartOpSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("add"),
    productId: z.string(),
    quantity: z.number().int(),
    product: z.object({ name: z.string(), unitPrice: z.number().int(), slug: z.string(), image: z.string() }).optional(),
    properties: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("set"), productId: z.string(), lineId: z.string().optional(), quantity: z.number().int() }),
  z.object({ type: z.literal("remove"), productId: z.string(), lineId: z.string().optional() }),
  z.object({ type: z.literal("clear") }),
  z.object({ type: z.literal("note"), note: z.string().nullable() }),
]);

const entrySchema = z.object({
  key: z.string().min(1).max(255),
  action: z.enum(["add", "setQuantity", "remove", "clear", "note"]),
  op: cartOpSchema.nullable(),
  fields: z.record(z.string(), z.string()),
  line: z.string().nullable(),
  sent: z.boolean(),
  control: z.string().optional(),
  success: z.string().optional(),
  openDrawer: z.boolean().optional(),
});

const storedSchema = z.object({ v: z.literal(1), savedAt: z.number(), entries: z.array(entrySchema) });

export const OUTBOX_PREFIX = "next-cart:outbox:";
const TAB_KEY = "next-cart:tab";
// Another tab's queue untouched this long belonged to a tab that was closed with changes in it.
const ORPHAN_MS = 60_000;

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

function storages(): { local: Storage; session: Storage } | null {
  try {
    if (typeof window === "undefined" || !window.localStorage || !window.sessionStorage) return null;
    return { local: window.localStorage, session: window.sessionStorage };
  } catch {
    return null;
  }
}

// Each tab keeps its own queue (a reload keeps the tab's id in sessionStorage).
function tabId(session: Storage): string {
  let id = session.getItem(TAB_KEY);
  if (!id) {
    id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    session.setItem(TAB_KEY, id);
  }
  return id;
}

export function parseStored(raw: string | null): { savedAt: number; entries: OutboxEntry[] } | null {
  if (!raw) return null;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { savedAt: parsed.data.savedAt, entries: parsed.data.entries as OutboxEntry[] } : null;
  } catch {
    return null;
  }
}

// Queues are kept per module (its basePath: two markets on one page keep two) and per tab.
const storageKey = (scope: string, tab: string) => `${OUTBOX_PREFIX}${scope}:${tab}`;

// This tab's queue from before a reload, plus the queues of tabs closed with changes still in them.
export function loadOutbox(scope: string, now = Date.now()): OutboxEntry[] {
  const found = storages();
  if (!found) return [];
  const { local, session } = found;
  try {
    const mine = storageKey(scope, tabId(session));
    const ours = `${OUTBOX_PREFIX}${scope}:`;
    const entries = parseStored(local.getItem(mine))?.entries ?? [];
    const keys: string[] = [];
    for (let i = 0; i < local.length; i += 1) {
      const key = local.key(i);
      if (key && key.startsWith(ours) && key !== mine) keys.push(key);
    }
    for (const key of keys) {
      const other = parseStored(local.getItem(key));
      if (!other || now - other.savedAt > ORPHAN_MS) {
        if (other) entries.push(...other.entries);
        local.removeItem(key);
      }
    }
    const seen = new Set<string>();
    return entries.filter((entry) => (seen.has(entry.key) ? false : (seen.add(entry.key), true)));
  } catch {
    return [];
  }
}

export function saveOutbox(scope: string, entries: readonly OutboxEntry[], now = Date.now()): void {
  const found = storages();
  if (!found) return;
  try {
    const key = storageKey(scope, tabId(found.session));
    if (entries.length === 0) found.local.removeItem(key);
    else found.local.setItem(key, JSON.stringify({ v: 1, savedAt: now, entries }));
  } catch {
    // Storage full or denied: the queue still lives in memory.
  }
}
