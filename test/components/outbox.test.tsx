import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AddToCartButton, CartBadge, CartLines, defaultCartMessages } from "@/lib/react";
import { enqueue, fieldsToSend, foldOps, lineKey, loadOutbox, opLineKey, MIN_SPACING_MS, OUTBOX_PREFIX, saveOutbox, sendAt, type LastSent, type OutboxEntry } from "@/lib/react/outbox";
import type { CartOp } from "@/lib/react/cart-reducer";
import { actionsWith, cartOf, line, renderCart, scriptedAction } from "./harness";

afterEach(cleanup);
beforeEach(() => {
  window.localStorage.clear();
  window.sessionStorage.clear();
});

const add = (productId: string, quantity: number): CartOp => ({ type: "add", productId, quantity });
const set = (productId: string, quantity: number): CartOp => ({ type: "set", productId, quantity });
const remove = (productId: string): CartOp => ({ type: "remove", productId });

let keys = 0;
function entry(op: CartOp, sent = false): OutboxEntry {
  keys += 1;
  const action = op.type === "set" ? "setQuantity" : op.type;
  return { key: `k${keys}`, action, op, fields: {}, line: opLineKey(op), sent };
}

describe("folding rules", () => {
  it("adds to one line sum; sets keep the last; a remove wins over earlier changes to that line", () => {
    expect(foldOps(add("p1", 2), add("p1", 3), true)).toEqual(add("p1", 5));
    expect(foldOps(set("p1", 4), set("p1", 9), true)).toEqual(set("p1", 9));
    expect(foldOps(set("p1", 4), add("p1", 2), true)).toEqual(set("p1", 6));
    expect(foldOps(add("p1", 2), set("p1", 7), true)).toEqual(set("p1", 7));
    // A line the server does not have yet: the add stays an add, with the set's quantity.
    expect(foldOps(add("p1", 2), set("p1", 7), false)).toEqual(add("p1", 7));
    expect(foldOps(add("p1", 2), remove("p1"), true)).toEqual(remove("p1"));
    expect(foldOps(set("p1", 3), remove("p1"), true)).toEqual(remove("p1"));
    // After a remove, an add starts a new line: not folded.
    expect(foldOps(remove("p1"), add("p1", 1), true)).toBeNull();
    expect(foldOps(add("p1", 1), add("p2", 1), true)).toBeNull();
    expect(foldOps({ type: "clear" }, add("p1", 1), true)).toBeNull();
  });

  it("keys lines by product and properties: an engraved mug and a plain one never fold together", () => {
    const engraved: Extract<CartOp, { type: "add" }> = { type: "add", productId: "mug", quantity: 1, properties: { Engraving: "For Ada" } };
    const sameEngraving: Extract<CartOp, { type: "add" }> = { type: "add", productId: "mug", quantity: 2, properties: { Engraving: "For Ada" } };
    expect(lineKey(engraved)).not.toBe(lineKey({ productId: "mug" }));
    expect(foldOps(engraved, add("mug", 1), true)).toBeNull();
    expect(foldOps(engraved, sameEngraving, true)).toEqual({ ...engraved, quantity: 3 });
    // A set or remove names its line by lineId: the engraved line's id is its add's key.
    const setEngraved: Extract<CartOp, { type: "set" }> = { type: "set", productId: "mug", lineId: lineKey(engraved), quantity: 5 };
    expect(foldOps(engraved, setEngraved, true)).toEqual(setEngraved);
    expect(foldOps(add("mug", 1), setEngraved, true)).toBeNull();
    expect(fieldsToSend(entry(setEngraved)).get("lineId")).toBe(lineKey(engraved));
  });

  it("folds into the last unsent change of the same line only, keeping that change's key", () => {
    const confirmed = cartOf([line("p1", 1), line("p2", 1)], 3);
    const first = entry(add("p1", 1), true);
    const second = entry(add("p1", 1));
    const other = entry(set("p2", 5));
    let queue = [first];
    queue = enqueue(queue, second, confirmed).queue;
    // The first is in flight: nothing folds into it.
    expect(queue.map((e) => e.key)).toEqual([first.key, second.key]);
    queue = enqueue(queue, other, confirmed).queue;
    const third = enqueue(queue, entry(add("p1", 3)), confirmed);
    expect(third.folded).toBe(true);
    expect(third.queue.map((e) => e.key)).toEqual([first.key, second.key, other.key]);
    expect(third.queue[1]?.op).toEqual(add("p1", 4));
    const cleared = enqueue(third.queue, entry({ type: "clear" }), confirmed).queue;
    const afterClear = enqueue(cleared, entry(add("p1", 1)), confirmed);
    expect(afterClear.folded).toBe(false);
    expect(afterClear.queue).toHaveLength(5);
  });

  it("sends a folded change with its own key and the folded quantity", () => {
    const folded: OutboxEntry = { ...entry(add("p1", 7)), fields: { productId: "p1", quantity: "1", returnTo: "/" } };
    const data = fieldsToSend(folded);
    expect(Object.fromEntries(data.entries())).toEqual({ productId: "p1", quantity: "7", returnTo: "/", js: "1", idempotencyKey: folded.key });
  });
});

// The provider's pacing for clicks on one line, by the millisecond: one change queued at a time
// (later clicks fold into it), one request in flight, each answered answerMs after it left.
function requestTimes(clicks: readonly number[], answerMs: number): number[] {
  const sent: number[] = [];
  let lastSent: LastSent = { at: -Infinity, line: "p1" };
  let answeredAt = -Infinity;
  let queued: { createdAt: number; readyAt: number } | null = null;
  const clickAt = new Set(clicks);
  for (let now = 0; now <= Math.max(...clicks) + 10_000; now += 1) {
    if (clickAt.has(now)) {
      const nothingPending: boolean = now >= answeredAt && queued === null;
      const createdAt: number = queued?.createdAt ?? now;
      queued = { createdAt, readyAt: sendAt({ now, createdAt, line: "p1", nothingPending }, lastSent) };
    }
    if (queued && now >= answeredAt && now >= queued.readyAt) {
      sent.push(now);
      lastSent = { at: now, line: "p1" };
      answeredAt = now + answerMs;
      queued = null;
    }
  }
  return sent;
}

describe("pacing", () => {
  it("50 clicks within 2 s cost at most 3 requests, also with a pause mid-burst and answers that come back at once", () => {
    const steady = Array.from({ length: 50 }, (_, i) => i * 40);
    expect(requestTimes(steady, 20).length).toBeLessThanOrEqual(3);
    // A busy page stalls for 500 ms somewhere in the burst (the rest 30 ms apart: 1,940 ms in all).
    for (let stall = 1; stall < 50; stall += 1) {
      const clicks = Array.from({ length: 50 }, (_, i) => i * 30 + (i >= stall ? 500 : 0));
      for (const answerMs of [5, 50, 300]) {
        const sent = requestTimes(clicks, answerMs);
        expect(sent.length, `stall before click ${stall}, answers in ${answerMs} ms`).toBeLessThanOrEqual(3);
        expect(sent.length).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it("a burst's requests are MIN_SPACING_MS apart; a click after a quiet spell leaves at once", () => {
    const clicks = Array.from({ length: 200 }, (_, i) => i * 35);
    const sent = requestTimes(clicks, 10);
    for (let i = 1; i < sent.length; i += 1) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(MIN_SPACING_MS);
    expect(sent[0]).toBe(0);
    const later = clicks.at(-1)! + 5_000;
    expect(requestTimes([...clicks, later], 10).at(-1)).toBe(later);
  });

  it("a change to another line, with nothing pending, leaves at once", () => {
    const now = 10_000;
    const sent = now - 100;
    expect(sendAt({ now, createdAt: now, line: "p2", nothingPending: true }, { at: sent, line: "p1" })).toBe(now);
    expect(sendAt({ now, createdAt: now, line: "p1", nothingPending: true }, { at: sent, line: "p1" })).toBe(sent + MIN_SPACING_MS);
    // Something pending: it waits its turn, paced, whatever its line.
    expect(sendAt({ now, createdAt: now, line: "p2", nothingPending: false }, { at: sent, line: "p1" })).toBe(sent + MIN_SPACING_MS);
  });
});

const lineRow = (productId: string) => {
  const row = screen.getAllByTestId("cart-line").find((el) => el.dataset.productId === productId);
  if (!row) throw new Error(`no line ${productId}`);
  return within(row);
};

describe("one request in flight", () => {
  it("shows every click at once and folds the clicks made meanwhile into one more request", async () => {
    const setQuantity = scriptedAction();
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    const plus = () => lineRow("p1").getByTestId("line-increase");

    for (let i = 0; i < 20; i += 1) act(() => plus().click());
    expect(lineRow("p1").getByTestId("line-quantity")).toHaveProperty("value", "21");
    const first = await setQuantity.call(1);
    expect(first.fields.quantity).toBe("2");
    expect(setQuantity.calls).toHaveLength(1);

    await act(async () => first.resolve({ ok: true, cart: cartOf([line("p1", 2)], 2) }));
    // The 19 clicks made meanwhile: one request, the last quantity, a key of its own.
    const second = await setQuantity.call(2);
    expect(second.fields.quantity).toBe("21");
    expect(second.fields.idempotencyKey).not.toBe(first.fields.idempotencyKey);
    expect(lineRow("p1").getByTestId("line-quantity")).toHaveProperty("value", "21");
    await act(async () => second.resolve({ ok: true, cart: cartOf([line("p1", 21)], 3) }));
    expect(setQuantity.calls).toHaveLength(2);
    expect(screen.getByRole("status").textContent).toBe("Product p1: quantity is now 21");
  });

  it("sums adds, caps them at the per-line maximum and says so with the contract's message", async () => {
    const addAction = scriptedAction();
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ add: addAction.action }), (
      <>
        <CartBadge />
        <AddToCartButton productId="p1" name="Product p1" unitPrice={1000} slug="p1" image="" returnTo="/" />
      </>
    ), { limits: { maxQuantity: 5 } });
    const button = () => screen.getByTestId("add-to-cart");

    for (let i = 0; i < 8; i += 1) act(() => button().click());
    // 1 in the cart, room for 4 more: the view stops at 5.
    expect(screen.getByTestId("cart-count").textContent).toBe("5");
    expect(screen.getByTestId("control-note").textContent).toBe(defaultCartMessages.errors.QUANTITY_LIMIT);
    const first = await addAction.call(1);
    expect(first.fields.quantity).toBe("1");
    await act(async () => first.resolve({ ok: true, cart: cartOf([line("p1", 2)], 2) }));
    const second = await addAction.call(2);
    expect(second.fields.quantity).toBe("3");
    await act(async () => second.resolve({ ok: true, cart: cartOf([line("p1", 5)], 3) }));
    expect(screen.getByTestId("cart-count").textContent).toBe("5");
    expect(addAction.calls).toHaveLength(2);
  });

  it("a remove wins over the queued changes to its line", async () => {
    const setQuantity = scriptedAction();
    const removeAction = scriptedAction();
    await renderCart(cartOf([line("p1", 2)], 1), actionsWith({ setQuantity: setQuantity.action, remove: removeAction.action }), <CartLines />);

    act(() => lineRow("p1").getByTestId("line-increase").click());
    const first = await setQuantity.call(1);
    act(() => lineRow("p1").getByTestId("line-increase").click());
    act(() => lineRow("p1").getByTestId("line-remove").click());
    expect(screen.queryAllByTestId("cart-line")).toHaveLength(0);
    await act(async () => first.resolve({ ok: true, cart: cartOf([line("p1", 3)], 2) }));
    const removed = await removeAction.call(1);
    expect(removed.fields.productId).toBe("p1");
    await act(async () => removed.resolve({ ok: true, cart: cartOf([], 3) }));
    expect(setQuantity.calls).toHaveLength(1);
    expect(screen.queryAllByTestId("cart-line")).toHaveLength(0);
  });
});

describe("offline queue", () => {
  const goOffline = () => {
    Object.defineProperty(window.navigator, "onLine", { configurable: true, get: () => false });
    window.dispatchEvent(new Event("offline"));
  };
  const goOnline = () => {
    Object.defineProperty(window.navigator, "onLine", { configurable: true, get: () => true });
    window.dispatchEvent(new Event("online"));
  };
  afterEach(() => {
    Object.defineProperty(window.navigator, "onLine", { configurable: true, get: () => true });
  });

  it("keeps a change whose request failed on the network, says so, and resends it with its key when back online", async () => {
    const setQuantity = scriptedAction();
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ setQuantity: setQuantity.action }), <CartLines />);

    act(() => lineRow("p1").getByTestId("line-increase").click());
    const first = await setQuantity.call(1);
    // The answer is lost (the connection dropped): fetch rejects with a TypeError.
    await act(async () => {
      goOffline();
      first.reject(new TypeError("Failed to fetch"));
    });
    expect(screen.getByTestId("cart-offline").textContent).toBe(defaultCartMessages.offlineQueued);
    expect(screen.getByRole("status").textContent).toBe(defaultCartMessages.offlineQueued);
    act(() => lineRow("p1").getByTestId("line-increase").click());
    expect(lineRow("p1").getByTestId("line-quantity")).toHaveProperty("value", "3");
    const stored = loadOutbox("/api");
    // The quantity control names its line (lineId), so a reload resends to the same line.
    expect(stored.map((e) => e.op)).toEqual([
      { ...set("p1", 2), lineId: "p1" },
      { ...set("p1", 3), lineId: "p1" },
    ]);
    expect(stored[0]?.key).toBe(first.fields.idempotencyKey);
    expect(setQuantity.calls).toHaveLength(1);

    act(() => goOnline());
    const again = await setQuantity.call(2);
    expect(again.fields.idempotencyKey).toBe(first.fields.idempotencyKey);
    expect(again.fields.quantity).toBe("2");
    await act(async () => again.resolve({ ok: true, cart: cartOf([line("p1", 2)], 2) }));
    const next = await setQuantity.call(3);
    expect(next.fields.quantity).toBe("3");
    await act(async () => next.resolve({ ok: true, cart: cartOf([line("p1", 3)], 3) }));
    expect(screen.queryByTestId("cart-offline")).toBeNull();
    expect(loadOutbox("/api")).toEqual([]);
    expect(setQuantity.calls).toHaveLength(3);
  });

  it("after a reload, shows the queued changes and sends them in order; a refused one rolls back with the contract's message", async () => {
    const confirmed = cartOf([line("p1", 1)], 1);
    saveOutbox("/api", [
      { key: "key-a", action: "add", op: add("p2", 2), fields: { productId: "p2", quantity: "2", returnTo: "/" }, line: "p2", sent: true, control: "add:p2" },
      { key: "key-b", action: "setQuantity", op: set("p1", 4), fields: { productId: "p1", quantity: "4", returnTo: "/" }, line: "p1", sent: false, control: "line:p1", success: "now 4" },
    ]);
    const addAction = scriptedAction();
    const setQuantity = scriptedAction();
    await renderCart(confirmed, actionsWith({ add: addAction.action, setQuantity: setQuantity.action }), (
      <>
        <CartBadge />
        <CartLines />
      </>
    ));
    // p2 is not in the cart the server rendered, so its add cannot be predicted (no product
    // details were stored for it): the view shows the set on p1.
    await waitFor(() => expect(screen.getByTestId("cart-count").textContent).toBe("4"));
    const sentAdd = await addAction.call(1);
    expect(sentAdd.fields).toMatchObject({ idempotencyKey: "key-a", productId: "p2", quantity: "2" });
    expect(setQuantity.calls).toHaveLength(0);
    // The product was withdrawn meanwhile.
    await act(async () => sentAdd.resolve({ ok: false, error: { code: "PRODUCT_UNAVAILABLE", message: "gone" }, cart: confirmed }));
    expect(screen.getByRole("status").textContent).toBe(defaultCartMessages.errors.PRODUCT_UNAVAILABLE);
    const sentSet = await setQuantity.call(1);
    expect(sentSet.fields.idempotencyKey).toBe("key-b");
    await act(async () => sentSet.resolve({ ok: true, cart: cartOf([line("p1", 4)], 2) }));
    expect(screen.getByTestId("cart-count").textContent).toBe("4");
    expect(window.localStorage.length).toBe(0);
  });

  it("adopts the queue of a tab that was closed with changes in it", () => {
    const stale = { v: 1, savedAt: Date.now() - 120_000, entries: [entry(add("p1", 1))] };
    const fresh = { v: 1, savedAt: Date.now(), entries: [entry(add("p9", 1))] };
    window.localStorage.setItem(`${OUTBOX_PREFIX}/api:closed-tab`, JSON.stringify(stale));
    window.localStorage.setItem(`${OUTBOX_PREFIX}/api:open-tab`, JSON.stringify(fresh));
    // Another module's queue (another market, another basePath) is not this one's.
    window.localStorage.setItem(`${OUTBOX_PREFIX}/eu/api:closed-tab`, JSON.stringify(stale));
    expect(loadOutbox("/api").map((e) => e.op)).toEqual([add("p1", 1)]);
    expect(window.localStorage.getItem(`${OUTBOX_PREFIX}/eu/api:closed-tab`)).not.toBeNull();
    expect(window.localStorage.getItem(`${OUTBOX_PREFIX}/api:closed-tab`)).toBeNull();
    expect(window.localStorage.getItem(`${OUTBOX_PREFIX}/api:open-tab`)).not.toBeNull();
  });
});
