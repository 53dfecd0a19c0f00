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
  useRef,
  useState,
  useSyncExternalStore,
  useTransition,
  type FormEvent,
  type ReactNode,
} from "react";
import type { CartActionResult, CartLimits, CartView } from "../cart/types";
import { applyCartOp, DEFAULT_LIMITS, newerCart, type CartOp, type CartReducerLimits } from "./cart-reducer";
import { newIdempotencyKey } from "./idempotency-field";
import { cartErrorMessage, mergeMessages, type CartMessages, type CartMessagesOverride } from "./messages";
import { sendChange } from "./send-change";
import { openTabChannel, takeFromOtherTab, type TabChannel } from "./tab-sync";

// A server action as the cart components call it: FormData in, the whole cart out.
export type CartServerAction = (formData: FormData) => Promise<CartActionResult>;

// The four cart mutations, passed in by the app (its server actions) so this
// module never imports from `app/`. Each is used both as a `<form action>` (it
// then posts without JavaScript) and, with JavaScript, called directly.
export interface CartActions {
  add: CartServerAction;
  setQuantity: CartServerAction;
  remove: CartServerAction;
  clear: CartServerAction;
}

// The same server reference, typed for `<form action>` (which ignores the
// result). Identity matters: React renders a server reference as a form that
// posts without JavaScript, so this must not wrap it.
export function formAction(action: CartServerAction): (formData: FormData) => void {
  return action;
}

// What a form submission means: the optimistic change and what to announce when the server agrees.
export interface CartIntent {
  op: CartOp;
  success: string;
}

export interface CartStatus {
  id: number;
  tone: "success" | "error" | "busy";
  text: string;
}

// What a control shows beside itself: a refusal's message, or that its change is being retried.
export interface ControlNote {
  // A new id per note: a control resets what the shopper typed when its change is refused.
  id: number;
  tone: "error" | "busy";
  text: string;
}

// Who opened the drawer: an add (a drawer may opt out of those) or the shopper.
export type DrawerOpener = "add" | "shopper";

interface CartContextValue {
  // The cart to render: the server's cart with pending changes applied.
  cart: CartView;
  // The last cart the server confirmed.
  confirmedCart: CartView;
  // True while a change is on its way to the server.
  isPending: boolean;
  actions: CartActions;
  limits: CartReducerLimits;
  messages: CartMessages;
  // The note for a control (by the key it passed to submitForm), if any.
  notes: Readonly<Record<string, ControlNote>>;
  drawer: DrawerOpener | null;
  openDrawer(opener: DrawerOpener): void;
  closeDrawer(): void;
  // An `onSubmit` for a cart form: stops the browser's post, applies the
  // optimistic change, calls the action with `js=1`, and applies its answer.
  // `intent` reads the form's data; returning null sends the change without
  // an optimistic prediction (the server's answer decides).
  submitForm(
    event: FormEvent<HTMLFormElement>,
    action: CartServerAction,
    intent: (formData: FormData) => CartIntent | null,
    control?: { key: string; openDrawer?: boolean },
  ): void;
}

const CartContext = createContext<CartContextValue | null>(null);

const noSubscription = () => () => {};

// False while rendering on the server and hydrating, true once React runs in the browser.
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

const STATUS_VISIBLE_MS = { success: 4000, error: 8000, busy: 30000 } as const;

// The form's own fields, minus React's `$ACTION_*` bookkeeping, plus `js=1`.
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
  // The shopper's cart, read on the server and not awaited (it streams in).
  cartPromise: Promise<CartView>;
  actions: CartActions;
  // The server's limits (CART_MAX_LINES, CART_MAX_QUANTITY), so the prediction matches the answer.
  limits?: Partial<CartLimits>;
  // Replaces any of the English strings (see defaultCartMessages).
  messages?: CartMessagesOverride;
  children: ReactNode;
}

export function CartProvider({
  cartPromise,
  actions,
  limits: serverLimits,
  messages: messageOverride,
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

  const maxQuantity = serverLimits?.maxQuantity ?? DEFAULT_LIMITS.maxQuantity;
  const maxLines = serverLimits?.maxLines ?? DEFAULT_LIMITS.maxLines;
  const limits = useMemo(() => ({ maxQuantity, maxLines }), [maxQuantity, maxLines]);
  // Keyed by content: a layout re-render passes an equal but new object.
  const messageKey = JSON.stringify(messageOverride ?? null);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- messageKey stands for the override's content
  const messages = useMemo(() => mergeMessages(messageOverride), [messageKey]);
  const [notes, setNotes] = useState<Record<string, ControlNote>>({});
  const noteIds = useRef(0);
  const setNote = useCallback((key: string | undefined, content: Omit<ControlNote, "id"> | null) => {
    if (key === undefined) return;
    noteIds.current += 1;
    const note = content ? { ...content, id: noteIds.current } : null;
    setNotes((current) => {
      if (!note && !(key in current)) return current;
      const next = { ...current };
      if (note) next[key] = note;
      else delete next[key];
      return next;
    });
  }, []);
  const [drawer, setDrawer] = useState<DrawerOpener | null>(null);
  const openDrawer = useCallback((opener: DrawerOpener) => setDrawer(opener), []);
  const closeDrawer = useCallback(() => setDrawer(null), []);

  // The cart id this tab showed before a change, for the tabs that hear about it.
  const confirmedId = useRef(confirmedCart.id);
  useEffect(() => {
    confirmedId.current = confirmedCart.id;
  }, [confirmedCart.id]);

  // Other tabs of this browser post the carts their changes produced.
  const channel = useRef<TabChannel | null>(null);
  useEffect(() => {
    const opened = openTabChannel((message) => {
      startTransition(() => {
        setServer((current) => {
          const cart = takeFromOtherTab(current.cart, message);
          return cart === current.cart ? current : { ...current, cart };
        });
      });
    });
    channel.current = opened;
    return () => {
      opened?.close();
      channel.current = null;
    };
  }, []);
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
    (event, action, intent, control) => {
      const form = event.currentTarget;
      const submitter = (event.nativeEvent as SubmitEvent).submitter;
      const formData = formDataForCall(form, submitter);
      // No prediction (input the server should judge): the server's answer alone decides.
      const meaning = intent(formData);
      event.preventDefault();
      const from = confirmedId.current;
      setNote(control?.key, null);
      if (control?.openDrawer && meaning) setDrawer("add");
      startCartTransition(async () => {
        if (meaning) addOptimistic(meaning.op);
        const result = await sendChange(action, formData, () => {
          setNote(control?.key, { tone: "busy", text: messages.busyRetrying });
          announce("busy", messages.busyRetrying);
        });
        if (!result) {
          setNote(control?.key, { tone: "error", text: messages.genericError });
          announce("error", messages.genericError);
          return;
        }
        startTransition(() => {
          setServer((current) => ({ ...current, cart: newerCart(current.cart, result.cart) }));
        });
        if (!result.ok) {
          // The optimistic change rolls back as this transition ends; the control says why.
          const text = cartErrorMessage(result.error.code, messages);
          // A refused add closes the drawer it opened: the reason is shown beside the button.
          if (control?.openDrawer) setDrawer((current) => (current === "add" ? null : current));
          setNote(control?.key, { tone: "error", text });
          announce("error", text);
          return;
        }
        setNote(control?.key, null);
        channel.current?.post({ from, cart: result.cart });
        if (meaning) announce("success", meaning.success);
      });
    },
    [addOptimistic, announce, messages, setNote, startCartTransition],
  );

  const value = useMemo<CartContextValue>(
    () => ({ cart, confirmedCart, isPending, actions, limits, messages, notes, drawer, openDrawer, closeDrawer, submitForm }),
    [cart, confirmedCart, isPending, actions, limits, messages, notes, drawer, openDrawer, closeDrawer, submitForm],
  );

  return (
    <CartContext value={value}>
      {children}
      <div
        role="status"
        aria-live="polite"
        aria-atomic="true"
        className="nc nc-status"
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

// The cart and its operations. Every caller sees the same (optimistic) cart.
export function useCart(): CartContextValue {
  const context = useContext(CartContext);
  if (!context) throw new Error("useCart must be used inside <CartProvider>");
  return context;
}
