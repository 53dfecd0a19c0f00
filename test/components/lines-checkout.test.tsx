import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lineIdOf } from "@/lib/cart/domain";
import { AddToCartButton, CartDrawer, CartLines, CartView, useCart } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart, scriptedAction } from "./harness";

afterEach(cleanup);

const ADA = { Engraving: "For Ada" };
const rows = () => screen.getAllByTestId("cart-line");
const rowOf = (lineId: string) => {
  const row = rows().find((el) => el.dataset.lineId === lineId);
  if (!row) throw new Error(`no line ${lineId}`);
  return within(row);
};
// The hidden fields of a line's forms: what a post without JavaScript sends.
const hiddenFields = (form: HTMLFormElement) =>
  Object.fromEntries([...form.querySelectorAll<HTMLInputElement>('input[type="hidden"]')].map((input) => [input.name, input.value]));

describe("line properties in the components", () => {
  it("shows a line's properties under its name, and names the line by its lineId in every form", async () => {
    const engraved = line("p1", 2, 1000, ADA);
    await renderCart(cartOf([line("p1", 1), engraved], 3), actionsWith({}), <CartLines />);
    await screen.findAllByTestId("cart-line");
    expect(engraved.lineId).toMatch(/^p1~[a-z0-9]{22}$/);
    expect(rowOf("p1").queryByTestId("line-properties")).toBeNull();
    const properties = rowOf(engraved.lineId).getByTestId("line-properties");
    expect(properties.textContent).toBe("EngravingFor Ada");
    const forms = [...rows()[1]!.querySelectorAll("form")];
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) expect(hiddenFields(form)).toMatchObject({ productId: "p1", lineId: engraved.lineId });
  });

  it("changes only the line with those properties, optimistically, and sends its lineId", async () => {
    const setQuantity = scriptedAction();
    const engraved = line("p1", 2, 1000, ADA);
    const start = cartOf([line("p1", 1), engraved], 3);
    await renderCart(start, actionsWith({ setQuantity: setQuantity.action }), <CartLines />);
    await screen.findAllByTestId("cart-line");
    act(() => rowOf(engraved.lineId).getByTestId("line-increase").click());
    expect(rowOf(engraved.lineId).getByTestId("line-quantity")).toHaveProperty("value", "3");
    expect(rowOf("p1").getByTestId("line-quantity")).toHaveProperty("value", "1");
    const call = await setQuantity.call(1);
    expect(call.fields).toMatchObject({ productId: "p1", lineId: engraved.lineId, quantity: "3" });
    await act(async () => call.resolve({ ok: true, cart: cartOf([line("p1", 1), line("p1", 3, 1000, ADA)], 4) }));
    expect(rowOf(engraved.lineId).getByTestId("line-quantity")).toHaveProperty("value", "3");
  });

  it("AddToCartButton sends its properties and the host's property fields, and shows the new line at once", async () => {
    const add = scriptedAction();
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({ add: add.action }), (
      <>
        <AddToCartButton productId="p1" name="Product p1" unitPrice={1000} slug="p1" image="/x.svg" returnTo="/p1" properties={{ Colour: "Red" }}>
          <input name="properties[Engraving]" defaultValue="For Ada" data-testid="engraving" />
        </AddToCartButton>
        <CartLines />
      </>
    ));
    await screen.findByTestId("add-to-cart");
    // Without JavaScript the form posts the same fields.
    const form = screen.getByTestId("add-to-cart").closest("form")!;
    expect(hiddenFields(form)).toMatchObject({ productId: "p1", "properties[Colour]": "Red" });
    act(() => screen.getByTestId("add-to-cart").click());
    const lineId = lineIdOf({ productId: "p1", properties: { Colour: "Red", Engraving: "For Ada" } });
    expect(rows()).toHaveLength(2);
    expect(rowOf(lineId).getByTestId("line-properties").textContent).toBe("ColourRedEngravingFor Ada");
    const call = await add.call(1);
    expect(call.fields).toMatchObject({ productId: "p1", "properties[Colour]": "Red", "properties[Engraving]": "For Ada" });
    await act(async () =>
      call.resolve({ ok: true, cart: cartOf([line("p1", 1), line("p1", 1, 1000, { Colour: "Red", Engraving: "For Ada" })], 2) }),
    );
    expect(rows()).toHaveLength(2);
  });
});

describe("the checkout button", () => {
  it("is a link with checkoutHref, a form posting to checkoutAction (works without JavaScript), and absent with neither", async () => {
    const checkoutAction = vi.fn(async (formData: FormData) => {
      void formData;
    });
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({}), <CartView checkoutAction={checkoutAction} returnTo="/cart" />);
    const button = await screen.findByTestId("cart-checkout");
    expect(button.tagName).toBe("BUTTON");
    const form = button.closest("form")!;
    expect(hiddenFields(form)).toMatchObject({ returnTo: "/cart" });
    act(() => button.click());
    await waitFor(() => expect(checkoutAction).toHaveBeenCalledTimes(1));
    expect(checkoutAction.mock.calls[0]![0].get("returnTo")).toBe("/cart");
    cleanup();

    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({}), <CartView checkoutHref="/my-checkout" />);
    const link = await screen.findByTestId("cart-checkout");
    expect(link.tagName).toBe("A");
    expect(link.getAttribute("href")).toBe("/my-checkout");
    cleanup();

    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({}), <CartView />);
    await screen.findAllByTestId("cart-line");
    expect(screen.queryByTestId("cart-checkout")).toBeNull();
  });

  it("is in the drawer too, once it is open", async () => {
    function Opener() {
      const { openDrawer } = useCart();
      return (
        <button type="button" data-testid="open-drawer" onClick={() => openDrawer("shopper")}>
          open
        </button>
      );
    }
    await renderCart(cartOf([line("p1", 1)], 1), actionsWith({}), (
      <>
        <Opener />
        <CartDrawer checkoutHref="/my-checkout" />
      </>
    ));
    act(() => screen.getByTestId("open-drawer").click());
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByTestId("cart-checkout").getAttribute("href")).toBe("/my-checkout");
  });
});
