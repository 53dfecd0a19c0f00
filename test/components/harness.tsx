import { lineIdOf } from "@/lib/cart/domain";
import { act, render, type RenderResult } from "@testing-library/react";
import { Suspense, type ReactNode } from "react";
import type { CartActionResult, CartLineView, CartView } from "@/lib/cart/types";
import { CartProvider, type CartActions, type CartProviderProps, type CartServerAction } from "@/lib/react";

// Fake server actions for the components: each call is recorded with its form
// fields and answered by the test (now, later, or after a refusal).
export interface Call {
  fields: Record<string, string>;
  resolve(result: CartActionResult): void;
  reject(error: unknown): void;
}

export function scriptedAction() {
  const calls: Call[] = [];
  let waiting: Array<() => void> = [];
  const action: CartServerAction = (formData) =>
    new Promise<CartActionResult>((resolve, reject) => {
      const fields = Object.fromEntries([...formData.entries()].map(([k, v]) => [k, String(v)]));
      calls.push({ fields, resolve, reject });
      const checks = waiting;
      waiting = [];
      checks.forEach((check) => check());
    });
  // The n-th call (counting from 1), once it has been made.
  const call = (n: number) =>
    new Promise<Call>((resolve) => {
      const check = () => {
        const made = calls[n - 1];
        if (made) resolve(made);
        else waiting.push(check);
      };
      check();
    });
  return { action, calls, call };
}

export function line(productId: string, quantity: number, unitPrice = 1000, properties: Record<string, string> = {}): CartLineView {
  return {
    lineId: lineIdOf({ productId, properties }),
    productId,
    properties,
    name: `Product ${productId}`,
    slug: productId,
    href: null,
    image: `/images/${productId}.svg`,
    unitPrice,
    addedUnitPrice: unitPrice,
    quantity,
    lineTotal: unitPrice * quantity,
    available: true,
  };
}

export function cartOf(lines: CartLineView[], version: number, id: string | null = "cart-1"): CartView {
  return {
    id,
    version,
    currency: "USD",
    items: lines,
    note: null,
    itemCount: lines.reduce((sum, l) => sum + l.quantity, 0),
    subtotal: lines.reduce((sum, l) => sum + l.lineTotal, 0),
    updatedAt: id ? "2026-12-01T00:00:00.000Z" : null,
    notices: [],
  };
}

const unused: CartServerAction = () => Promise.reject(new Error("not used in this test"));

export function actionsWith(overrides: Partial<CartActions>): CartActions {
  return { add: unused, setQuantity: unused, remove: unused, clear: unused, ...overrides };
}

// Rendered inside act: the provider suspends on the cart promise until it resolves.
export async function renderCart(
  cart: CartView,
  actions: CartActions,
  children: ReactNode,
  props: Partial<Omit<CartProviderProps, "cartPromise" | "actions" | "children">> = {},
): Promise<RenderResult> {
  const cartPromise = Promise.resolve(cart);
  let result: RenderResult | undefined;
  await act(async () => {
    result = render(
      <Suspense fallback={<p>loading</p>}>
        <CartProvider cartPromise={cartPromise} actions={actions} live={false} {...props}>
          {children}
        </CartProvider>
      </Suspense>,
    );
  });
  if (!result) throw new Error("not rendered");
  return result;
}
