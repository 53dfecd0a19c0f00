import { act, cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CartNote, defaultCartMessages } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart, scriptedAction } from "./harness";

afterEach(cleanup);

const withNote = (note: string | null, version: number) => ({ ...cartOf([line("p1", 1)], version), note });
const field = () => screen.getByTestId<HTMLTextAreaElement>("cart-note-input");
// Every field a form posts without JavaScript (React's own action fields aside).
const postedFields = (form: HTMLFormElement) =>
  Object.fromEntries([...new FormData(form).entries()].filter(([name]) => !name.startsWith("$ACTION")).map(([name, value]) => [name, String(value)]));

describe("<CartNote>", () => {
  it("shows the cart's note in forms that post without JavaScript: the note, returnTo and an idempotency key each", async () => {
    const note = scriptedAction();
    await renderCart(withNote("Gift wrap, please", 2), actionsWith({ note: note.action }), <CartNote returnTo="/cart" />);
    expect(field().value).toBe("Gift wrap, please");
    expect(field().maxLength).toBe(500);
    const save = postedFields(screen.getByTestId("cart-note-save").closest("form")!);
    expect(save).toMatchObject({ note: "Gift wrap, please", returnTo: "/cart" });
    expect(save.idempotencyKey).toMatch(/.{16,}/);
    const clear = postedFields(screen.getByTestId("cart-note-clear").closest("form")!);
    expect(clear).toMatchObject({ note: "", returnTo: "/cart" });
    expect(clear.idempotencyKey).toMatch(/.{16,}/);
    expect(clear.idempotencyKey).not.toBe(save.idempotencyKey);
  });

  it("sets the note through the provider at once, sends it with a fresh key, and keeps the server's answer", async () => {
    const note = scriptedAction();
    await renderCart(withNote(null, 1), actionsWith({ note: note.action }), <CartNote />);
    expect(field().value).toBe("");
    expect(screen.queryByTestId("cart-note-clear")).toBeNull();
    fireEvent.change(field(), { target: { value: "Leave at the door" } });
    act(() => screen.getByTestId("cart-note-save").click());
    // Optimistic: the cart already has the note, so "Remove note" shows before the answer.
    expect(screen.getByTestId("cart-note-clear")).toBeTruthy();
    expect(field().value).toBe("Leave at the door");
    const call = await note.call(1);
    expect(call.fields).toMatchObject({ note: "Leave at the door", js: "1", returnTo: "/cart" });
    await act(async () => call.resolve({ ok: true, cart: withNote("Leave at the door", 2) }));
    expect(field().value).toBe("Leave at the door");
    expect(screen.getByTestId("cart-status").textContent).toBe(defaultCartMessages.noteSaved);

    act(() => screen.getByTestId("cart-note-clear").click());
    expect(field().value).toBe("");
    expect(screen.queryByTestId("cart-note-clear")).toBeNull();
    const cleared = await note.call(2);
    expect(cleared.fields).toMatchObject({ note: "", js: "1" });
    expect(cleared.fields.idempotencyKey).not.toBe(call.fields.idempotencyKey);
    await act(async () => cleared.resolve({ ok: true, cart: withNote(null, 3) }));
    expect(screen.getByTestId("cart-status").textContent).toBe(defaultCartMessages.noteCleared);
  });

  it("rolls a refused note back to the cart's and says why beside the field", async () => {
    const note = scriptedAction();
    const start = withNote("Old note", 4);
    await renderCart(start, actionsWith({ note: note.action }), <CartNote />);
    fireEvent.change(field(), { target: { value: "New note" } });
    act(() => screen.getByTestId("cart-note-save").click());
    expect(field().value).toBe("New note");
    const call = await note.call(1);
    await act(async () => call.resolve({ ok: false, error: { code: "VALIDATION_ERROR", message: "note: too long" }, cart: start }));
    expect(field().value).toBe("Old note");
    expect(screen.getByTestId("control-note").textContent).toBe(defaultCartMessages.errors.VALIDATION_ERROR);
  });

  it("renders nothing when the provider has no note action", async () => {
    await renderCart(withNote("Kept", 1), actionsWith({}), <CartNote />);
    expect(screen.queryByTestId("cart-note")).toBeNull();
  });
});
