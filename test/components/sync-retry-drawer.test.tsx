import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { AddToCartButton, CartBadge, CartDrawer, CartLines, defaultCartMessages } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart, scriptedAction } from "./harness";

afterEach(cleanup);

function addButton(productId = "p1") {
  return <AddToCartButton productId={productId} name={`Product ${productId}`} unitPrice={1000} slug={productId} image="/x.svg" returnTo="/" />;
}

describe("tabs of one browser", () => {
  it("a change reconciled in one tab reaches the other over BroadcastChannel, newer versions only", async () => {
    const setQuantity = scriptedAction();
    const start = cartOf([line("p1", 1)], 1);
    const tabA = await renderCart(start, actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    const tabB = await renderCart(start, actionsWith({}), <CartBadge />);
    const quantityInA = () => within(tabA.container).getByTestId("line-quantity");
    const countInB = () => within(tabB.container).getByTestId("cart-count");

    act(() => within(tabA.container).getByTestId("line-increase").click());
    const call = await setQuantity.call(1);
    // Only the server's answer travels, not the prediction.
    expect(countInB().textContent).toBe("1");
    await act(async () => call.resolve({ ok: true, cart: cartOf([line("p1", 2)], 2) }));
    expect(quantityInA()).toHaveProperty("value", "2");
    await waitFor(() => expect(countInB().textContent).toBe("2"));
  });

  it("another cart (another session) or an older version is ignored", async () => {
    const setQuantity = scriptedAction();
    const tabA = await renderCart(cartOf([line("p1", 1)], 5, "cart-a"), actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    const tabB = await renderCart(cartOf([line("p1", 7)], 9, "cart-b"), actionsWith({}), <CartBadge />);
    const tabC = await renderCart(cartOf([line("p1", 4)], 8, "cart-a"), actionsWith({}), <CartBadge />);

    act(() => within(tabA.container).getByTestId("line-increase").click());
    const call = await setQuantity.call(1);
    await act(async () => call.resolve({ ok: true, cart: cartOf([line("p1", 2)], 6, "cart-a") }));
    // Give the channel time to deliver, then check nothing changed. A fourth tab on the
    // same cart proves delivery happened meanwhile.
    const tabD = await renderCart(cartOf([line("p1", 1)], 5, "cart-a"), actionsWith({}), <CartBadge />);
    act(() => within(tabA.container).getByTestId("line-increase").click());
    const second = await setQuantity.call(2);
    await act(async () => second.resolve({ ok: true, cart: cartOf([line("p1", 3)], 7, "cart-a") }));
    await waitFor(() => expect(within(tabD.container).getByTestId("cart-count").textContent).toBe("3"));
    expect(within(tabB.container).getByTestId("cart-count").textContent).toBe("7");
    expect(within(tabC.container).getByTestId("cart-count").textContent).toBe("4");
  });
});

describe("busy — retrying", () => {
  it("resends the same change with the same idempotency key after Retry-After, saying so", async () => {
    const add = scriptedAction();
    await renderCart(cartOf([], 0, null), actionsWith({ add: add.action }), (
      <>
        <CartBadge />
        {addButton()}
      </>
    ));

    act(() => screen.getByTestId("add-to-cart").click());
    const first = await add.call(1);
    await act(async () =>
      first.resolve({ ok: false, error: { code: "OVERLOADED", message: "busy", retryAfter: 0.05 } as never, cart: cartOf([], 0, null) }),
    );
    expect(screen.getByRole("status").textContent).toBe(defaultCartMessages.busyRetrying);
    expect(screen.getByTestId("control-note").textContent).toBe(defaultCartMessages.busyRetrying);
    // The optimistic line stays while the change is retried.
    expect(screen.getByTestId("cart-count").textContent).toBe("1");

    const second = await add.call(2);
    expect(second.fields.idempotencyKey).toBe(first.fields.idempotencyKey);
    await act(async () => second.resolve({ ok: true, cart: cartOf([line("p1", 1)], 1) }));
    expect(screen.getByRole("status").textContent).toBe("Added Product p1 to your cart");
    expect(screen.queryByTestId("control-note")).toBeNull();
    expect(add.calls).toHaveLength(2);
  });

  it("a gateway's 503 (the action call throws) is retried too, and a lasting refusal is not", async () => {
    const setQuantity = scriptedAction();
    const start = cartOf([line("p1", 1)], 1);
    await renderCart(start, actionsWith({ setQuantity: setQuantity.action }), <CartLines />);

    act(() => screen.getByTestId("line-increase").click());
    const first = await setQuantity.call(1);
    await act(async () => first.reject(new Error("An unexpected response was received from the server.")));
    expect(screen.getByRole("status").textContent).toBe(defaultCartMessages.busyRetrying);
    const second = await setQuantity.call(2);
    expect(second.fields.idempotencyKey).toBe(first.fields.idempotencyKey);
    await act(async () => second.resolve({ ok: false, error: { code: "QUANTITY_LIMIT", message: "no" }, cart: start }));
    expect(screen.getByTestId("control-note").textContent).toBe(defaultCartMessages.errors.QUANTITY_LIMIT);
    expect(screen.getByTestId("line-quantity")).toHaveProperty("value", "1");
    expect(setQuantity.calls).toHaveLength(2);
  });
});

describe("CartDrawer", () => {
  it("opens on add as a modal dialog, takes focus, closes on Escape and gives focus back", async () => {
    const add = scriptedAction();
    await renderCart(cartOf([], 0, null), actionsWith({ add: add.action }), (
      <>
        {addButton()}
        <CartDrawer />
      </>
    ));
    expect(screen.queryByRole("dialog")).toBeNull();
    const button = screen.getByTestId("add-to-cart");
    button.focus();
    act(() => button.click());

    const dialog = screen.getByRole("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.getAttribute("aria-labelledby")).toBe(within(dialog).getByRole("heading", { name: defaultCartMessages.drawerTitle }).id);
    expect(dialog.contains(document.activeElement)).toBe(true);
    // The optimistic line is in the drawer at once.
    expect(within(dialog).getAllByTestId("cart-line")).toHaveLength(1);

    const call = await add.call(1);
    await act(async () => call.resolve({ ok: true, cart: cartOf([line("p1", 1)], 1) }));
    act(() => {
      dialog.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});
