"use client";

import {
  createContext,
  startTransition,
  use,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useOptimistic,
  useState,
  useSyncExternalStore,
  useTransition,
  type FormEvent,
  type ReactNode,
} from "react";
import type { CartActionResult, CartView } from "../cart/types";
import { applyCartOp, DEFAULT_LIMITS, newerCart, type CartOp, type CartReducerLimits } from "./cart-reducer";
import { newIdempotencyKey } from "./idempotency-field";
import { cartErrorMessage, GENERIC_CART_ERROR } from "./messages";

/** A server action as the cart components call it: FormData in, the whole cart out. */
export type CartServerAction = (formData: FormData) => Promise<CartActionResult>;

/**
 * The four cart mutations, passed in by the app (its server actions) so this
 * module never imports from `app/`. Each is used both as a `<form action>` (it
 * then posts without JavaScript) and, with JavaScript, called directly.
 */
export interface CartActions {
  add: CartServerAction;
  setQuantity: CartServerAction;
  remove: CartServerAction;
  clear: CartServerAction;
}

/**
 * The same server reference, typed for `<form action>` (which ignores the
 * result). Identity matters: React renders a server reference as a form that
 * posts without JavaScript, so this must not wrap it.
 */
export function formAction(action: CartServerAction): (formData: FormData) => void {
  return action;
}

/** What a form submission means: the optimistic change and what to announce when the server agrees. */
export interface CartIntent {
  op: CartOp;
  success: string;
}

export interface CartStatus {
  id: number;
  tone: "success" | "error";
  text: string;
}

interface CartContextValue {
  /** The cart to render: the server's cart with pending changes applied. */
  cart: CartView;
  /** The last cart the server confirmed. */
  confirmedCart: CartView;
  /** True while a change is on its way to the server. */
  isPending: boolean;
  actions: CartActions;
  limits: CartReducerLimits;
  /**
   * An `onSubmit` for a cart form: stops the browser's post, applies the
   * optimistic change, calls the action with `js=1`, and applies its answer.
   * `intent` reads the form's data; returning null sends the change without
   * an optimistic prediction (the server's answer decides).
   */
  submitForm(
    event: FormEvent<HTMLFormElement>,
    action: CartServerAction,
    intent: (formData: FormData) => CartIntent | null,
  ): void;
}

const CartContext = createContext<CartContextValue | null>(null);

const noSubscription = () => () => {};

/** False while rendering on the server and hydrating, true once React runs in the browser. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

const STATUS_VISIBLE_MS = { success: 4000, error: 8000 } as const;

/** The form's own fields, minus React's `$ACTION_*` bookkeeping, plus `js=1`. */
function formDataForCall(form: HTMLFormElement, submitter: HTMLElement | null): FormData {
  const source = new FormData(form, submitter);
  const data = new FormData();
  for (const [key, value] of source) {
    if (!key.startsWith("$ACTION")) data.append(key, value);
  }
  data.set("js", "1");
  // Each submission with JavaScript is a new intent: a new key (a retry of it would reuse this one).
  data.set("idempotencyKey", newIdempotencyKey());
  return data;
}

export interface CartProviderProps {
  /** The shopper's cart, read on the server and not awaited (it streams in). */
  cartPromise: Promise<CartView>;
  actions: CartActions;
  /** Per-line maximum quantity (the server's CART_MAX_QUANTITY). */
  maxQuantity?: number;
  /** Maximum number of lines (the server's CART_MAX_LINES). */
  maxLines?: number;
  children: ReactNode;
}

export function CartProvider({
  cartPromise,
  actions,
  maxQuantity = DEFAULT_LIMITS.maxQuantity,
  maxLines = DEFAULT_LIMITS.maxLines,
  children,
}: CartProviderProps) {
  const renderedCart = use(cartPromise);

  // The server's cart, from whichever arrived last and is newest: a render of
  // the layout (a new promise) or an action's answer.
  const [server, setServer] = useState({ rendered: renderedCart, cart: renderedCart });
  let confirmedCart = server.cart;
  if (server.rendered !== renderedCart) {
    confirmedCart = newerCart(server.cart, renderedCart);
    setServer({ rendered: renderedCart, cart: confirmedCart });
  }

  const limits = useMemo(() => ({ maxQuantity, maxLines }), [maxQuantity, maxLines]);
  const [cart, addOptimistic] = useOptimistic(confirmedCart, (current: CartView, op: CartOp) =>
    applyCartOp(current, op, limits),
  );

  const [isPending, startCartTransition] = useTransition();
  const hydrated = useHydrated();
  const [status, setStatus] = useState<CartStatus | null>(null);
  const [statusVisible, setStatusVisible] = useState(false);
  const announce = useCallback((tone: CartStatus["tone"], text: string) => {
    setStatus((previous) => {
      const id = (previous?.id ?? 0) + 1;
      // A repeated message must still change the text, or it is not announced again.
      const again = previous !== null && previous.text === text;
      return { id, tone, text: again ? `${text}\u00a0` : text };
    });
    setStatusVisible(true);
  }, []);

  useEffect(() => {
    if (!status) return;
    const timer = setTimeout(() => setStatusVisible(false), STATUS_VISIBLE_MS[status.tone]);
    return () => clearTimeout(timer);
  }, [status]);

  const submitForm = useCallback<CartContextValue["submitForm"]>(
    (event, action, intent) => {
      const form = event.currentTarget;
      const submitter = (event.nativeEvent as SubmitEvent).submitter;
      const formData = formDataForCall(form, submitter);
      // No prediction (input the server should judge): the server's answer alone decides.
      const meaning = intent(formData);
      event.preventDefault();
      startCartTransition(async () => {
        if (meaning) addOptimistic(meaning.op);
        let result: CartActionResult;
        try {
          result = await action(formData);
          // Sent with a cookie from before a sign-in or sign-out that finished meanwhile:
          // nothing was changed, and the browser now holds the new cookie. Send it again.
          for (let retry = 0; retry < 2 && !result.ok && result.error.code === "SESSION_ROTATED"; retry += 1) {
            result = await action(formData);
          }
        } catch {
          announce("error", GENERIC_CART_ERROR);
          return;
        }
        startTransition(() => {
          setServer((current) => ({ ...current, cart: newerCart(current.cart, result.cart) }));
        });
        if (!result.ok) announce("error", cartErrorMessage(result.error.code));
        else if (meaning) announce("success", meaning.success);
      });
    },
    [addOptimistic, announce, startCartTransition],
  );

  const value = useMemo<CartContextValue>(
    () => ({ cart, confirmedCart, isPending, actions, limits, submitForm }),
    [cart, confirmedCart, isPending, actions, limits, submitForm],
  );

  return (
    <CartContext value={value}>
      {children}
      <div
        role="status"
        aria-live="polite"
        aria-atomic="true"
        className="cart-status"
        data-tone={status?.tone ?? "success"}
        data-visible={statusVisible && status ? "true" : "false"}
        data-testid="cart-status"
        data-hydrated={hydrated ? "true" : "false"}
      >
        {status?.text ?? ""}
      </div>
    </CartContext>
  );
}

/** The cart and its operations. Every caller sees the same (optimistic) cart. */
export function useCart(): CartContextValue {
  const context = useContext(CartContext);
  if (!context) throw new Error("useCart must be used inside <CartProvider>");
  return context;
}
