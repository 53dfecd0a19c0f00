import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { AddToCartButton, CartBadge, CartLines, CartView, defaultCartMessages } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart, scriptedAction } from "./harness";

afterEach(cleanup);

const badge = () => screen.getByTestId("cart-count");
const status = () => screen.getByRole("status");
const lineRow = (productId: string) => {
  const row = screen.getAllByTestId("cart-line").find((el) => el.dataset.productId === productId);
  if (!row) throw new Error(`no line ${productId}`);
  return within(row);
};

function addButton(productId = "p1") {
  return (
    <AddToCartButton productId={productId} name={`Product ${productId}`} unitPrice={1000} slug={productId} image="/x.svg" returnTo="/" withQuantity />
  );
}

describe("CartProvider", () => {
  it("applies an add at once and keeps the server's cart when it answers", async () => {
    const add = scriptedAction();
    await renderCart(cartOf([], 0, null), actionsWith({ add: add.action }), (
      <>
        <CartBadge />
        {addButton()}
      </>
    ));
    await screen.findByTestId("add-to-cart");
    expect(badge().textContent).toBe("0");

    act(() => screen.getByTestId("add-to-cart").click());
    // Optimistic: the badge counts the line before the server has answered.
    expect(badge().textContent).toBe("1");
    const call = await add.call(1);
    expect(call.fields).toMatchObject({ productId: "p1", quantity: "1", js: "1" });
    expect(call.fields.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

    await act(async () => call.resolve({ ok: true, cart: cartOf([line("p1", 1)], 1) }));
    expect(badge().textContent).toBe("1");
    expect(status().textContent).toBe("Added Product p1 to your cart");
  });

  it("rolls a refused change back and shows the contract's message beside the control", async () => {
    const setQuantity = scriptedAction();
    const start = cartOf([line("p1", 2)], 4);
    await renderCart(start, actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    await screen.findAllByTestId("cart-line");

    act(() => lineRow("p1").getByTestId("line-increase").click());
    expect(lineRow("p1").getByTestId("line-quantity")).toHaveProperty("value", "3");
    const call = await setQuantity.call(1);
    await act(async () => call.resolve({ ok: false, error: { code: "QUANTITY_LIMIT", message: "server words" }, cart: start }));

    expect(lineRow("p1").getByTestId("line-quantity")).toHaveProperty("value", "2");
    const note = lineRow("p1").getByTestId("control-note");
    expect(note.textContent).toBe(defaultCartMessages.errors.QUANTITY_LIMIT);
    expect(status().textContent).toBe(defaultCartMessages.errors.QUANTITY_LIMIT);
    expect(document.body.textContent).not.toContain("server words");
  });

  it("reconciles by version: a slow answer never overwrites a newer cart", async () => {
    const setQuantity = scriptedAction();
    const otherTab = scriptedAction();
    const tabA = await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    const tabB = await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ setQuantity: otherTab.action }), <CartLines />);
    const quantityInA = () => within(tabA.container).getByTestId("line-quantity");

    act(() => within(tabA.container).getByTestId("line-increase").click());
    const slow = await setQuantity.call(1);
    // Meanwhile another tab's change lands first, as version 5.
    act(() => within(tabB.container).getByTestId("line-increase").click());
    const fast = await otherTab.call(1);
    await act(async () => fast.resolve({ ok: true, cart: cartOf([line("p1", 7)], 5) }));
    // The slow answer (version 2) arrives last and is not kept.
    await act(async () => slow.resolve({ ok: true, cart: cartOf([line("p1", 2)], 2) }));
    await waitFor(() => expect(quantityInA()).toHaveProperty("value", "7"));
    expect(within(tabA.container).getByTestId("line-total").textContent).toBe("$70.00");
  });

  it("takes its limits from the server", async () => {
    const limits = { maxQuantity: 3, maxLines: 2 };
    await renderCart(cartOf([line("p1", 3)], 1), actionsWith({}), (
      <>
        <CartLines />
        {addButton("p2")}
      </>
    ), { limits });
    await screen.findAllByTestId("cart-line");

    expect(lineRow("p1").getByTestId("line-increase")).toHaveProperty("disabled", true);
    expect(lineRow("p1").getByTestId("line-quantity").getAttribute("max")).toBe("3");
    const options = within(screen.getByTestId("add-quantity")).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["1", "2", "3"]);
  });

  it("renders every string from the messages prop, defaults for the rest", async () => {
    const remove = scriptedAction();
    const start = cartOf([line("p1", 1)], 1);
    await renderCart(start, actionsWith({ remove: remove.action }), <CartView />, {
      messages: { subtotal: "Zwischensumme", remove: "Entfernen", errors: { ITEM_NOT_FOUND: "Nicht mehr im Warenkorb." } },
    });
    await screen.findAllByTestId("cart-line");

    expect(screen.getByText("Zwischensumme")).toBeTruthy();
    expect(lineRow("p1").getByTestId("line-remove").textContent).toContain("Entfernen");
    expect(screen.getByText(defaultCartMessages.continueShopping)).toBeTruthy();

    act(() => lineRow("p1").getByTestId("line-remove").click());
    const call = await remove.call(1);
    await act(async () => call.resolve({ ok: false, error: { code: "ITEM_NOT_FOUND", message: "gone" }, cart: start }));
    expect(status().textContent).toBe("Nicht mehr im Warenkorb.");
  });
});
