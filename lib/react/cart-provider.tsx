"use client";

import { useRouter } from "next/navigation";
import {
  Component,
  createContext,
  use,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type FormEvent,
  type ReactNode,
} from "react";
import type { CartActionResult, CartLimits, CartLineView, CartView } from "../cart/types";
import { applyCartOp, DEFAULT_LIMITS, isWholeCartOp, newerCart, type CartOp, type CartReducerLimits } from "./cart-reducer";
import { newIdempotencyKey } from "./idempotency-field";
import { followCart, type LiveMode } from "./live";
import { cartErrorMessage, fillMessage, mergeMessages, type CartMessages, type CartMessagesOverride } from "./messages";
import { actionOf, enqueue, fieldsToSend, lineKey, loadOutbox, opLineKey, saveOutbox, sendAt, type LastSent, type OutboxAction, type OutboxEntry } from "./outbox";
import { retryWait, sendChange } from "./send-change";
import { openTabChannel, takeFromOtherTab, type TabChannel } from "./tab-sync";

// A server action as the cart components call it: FormData in, the whole cart out.
export type CartServerAction = (formData: FormData) => Promise<CartActionResult>;

// The cart mutations, passed in by the app (its server actions) so this
// module never imports from `app/`. Each is used both as a `<form action>` (it
// then posts without JavaScript) and, with JavaScript, called directly.
export interface CartActions {
  add: CartServerAction;
  setQuantity: CartServerAction;
  remove: CartServerAction;
  clear: CartServerAction;
  // The cart's note (createCart's actions.note). Optional, as it came after the other four:
  // without it <CartNote> renders nothing.
  note?: CartServerAction;
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

// Where a line links to: the catalog's own `href` when the adapter gives one, else the
// provider's `productHref(line)`, else nothing (the name is plain text).
export type ProductHref = (line: CartLineView) => string | null | undefined;

interface CartContextValue {
  // The cart to render: the server's cart with every queued change applied.
  cart: CartView;
  // The last cart the server confirmed.
  confirmedCart: CartView;
  // True while changes wait for the server (sent, queued, or kept offline).
  isPending: boolean;
  // True while the browser is offline or the last send failed on the network.
  offline: boolean;
  actions: CartActions;
  limits: CartReducerLimits;
  messages: CartMessages;
  // The one place a product link comes from (null: no link).
  productLink(line: CartLineView): string | null;
  // The note for a control (by the key it passed to submitForm), if any.
  notes: Readonly<Record<string, ControlNote>>;
  drawer: DrawerOpener | null;
  openDrawer(opener: DrawerOpener): void;
  closeDrawer(): void;
  // An `onSubmit` for a cart form: stops the browser's post, applies the
  // optimistic change, queues it (folded into a queued change to the same
  // line when one waits) and sends it when the one request in flight is done.
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
// Retrying after a network failure while the browser believes it is online.
const NETWORK_RETRY_MS = [2_000, 5_000, 10_000, 30_000];
const SIGNED_OUT_FLAG = "next-cart:signed-out-elsewhere";

// The form's own fields, minus React's `$ACTION_*` bookkeeping, plus `js=1` and a fresh key.
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

function fieldsOf(data: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of data) {
    if (name === "js" || name === "idempotencyKey" || typeof value !== "string") continue;
    fields[name] = value;
  }
  return fields;
}

// The cart with every queued change applied, in order.
function viewOf(confirmed: CartView, queue: readonly OutboxEntry[], limits: CartLimits): CartView {
  return queue.reduce((cart, entry) => (entry.op ? applyCartOp(cart, entry.op, limits) : cart), confirmed);
}

// A failed fetch (offline, connection reset, answer lost) rejects with a TypeError;
// a gateway's error page reaches a server action as a plain Error.
function isNetworkError(err: unknown): boolean {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return true;
  return err instanceof TypeError;
}

const sessionStore = () => {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
};

export interface CartProviderProps {
  /** Required. The shopper's cart, read on the server and not awaited (it streams in). */
  cartPromise: Promise<CartView>;
  /** Required. The app's cart server actions (add, setQuantity, remove, clear; note optional). */
  actions: CartActions;
  // The server's limits (CART_MAX_LINES, CART_MAX_QUANTITY), so the prediction matches the answer.
  limits?: Partial<CartLimits>;
  // Replaces any of the English strings (see defaultCartMessages).
  messages?: CartMessagesOverride;
  // Where the module's routes live (createCart's basePath). Default "/api".
  basePath?: string;
  // Follow the cart live (GET {basePath}/cart/live) so changes on other devices show at once. Default true.
  live?: boolean;
  // Whether the shopper is signed in: a rotation that leaves this device signed out says so.
  signedIn?: boolean;
  // A product page for a line whose catalog gave no `href`; return null for no link.
  // Without it (and without a catalog href) lines are not links.
  productHref?: ProductHref;
  children: ReactNode;
}

// Refreshes the router's server components; rendered only when following the cart live
// (outside an app router, e.g. in component tests, there is no router to refresh).
function RouterRefresh({ onReady }: { onReady(refresh: () => void): void }) {
  const router = useRouter();
  useEffect(() => onReady(() => router.refresh()), [router, onReady]);
  return null;
}

// Outside an app router (useRouter throws there) live updates still apply; only the refresh is skipped.
class WithoutRouter extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? null : this.props.children;
  }
}

export function CartProvider({
  cartPromise,
  actions,
  limits: serverLimits,
  messages: messageOverride,
  basePath = "/api",
  live = true,
  signedIn,
  productHref,
  children,
}: CartProviderProps) {
  const renderedCart = use(cartPromise);

  // The server's cart, from whichever arrived last and is newest: a render of
  // the layout (a new promise), an action's answer, another tab or the live stream.
  const [server, setServer] = useState({ rendered: renderedCart, cart: renderedCart });
  let confirmedCart = server.cart;
  if (server.rendered !== renderedCart) {
    confirmedCart = newerCart(server.cart, renderedCart);
    setServer({ rendered: renderedCart, cart: confirmedCart });
  }
  const confirmedRef = useRef(confirmedCart);
  useLayoutEffect(() => {
    confirmedRef.current = confirmedCart;
  }, [confirmedCart]);
  // The server render this page shows (its cart promise): a rotation refreshes the page only when
  // no render arrived since (after this page's own sign-in the action's redirect already did).
  const renderedRef = useRef(renderedCart);
  useLayoutEffect(() => {
    renderedRef.current = renderedCart;
  }, [renderedCart]);
  // Takes a cart from the server (kept only when newer) and returns what is kept.
  const takeCart = useCallback((incoming: CartView) => {
    const kept = newerCart(confirmedRef.current, incoming);
    confirmedRef.current = kept;
    setServer((current) => ({ ...current, cart: newerCart(current.cart, incoming) }));
    return kept;
  }, []);

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

  const productLink = useCallback((line: CartLineView): string | null => line.href ?? productHref?.(line) ?? null, [productHref]);

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

  // ---- The outbox: queued changes, one request in flight ----------------------------

  // Queued changes are stored per module (basePath) and per tab.
  const outboxScope = basePath.replace(/\/$/, "");
  const [queue, setQueueState] = useState<OutboxEntry[]>([]);
  const queueRef = useRef<OutboxEntry[]>([]);
  const updateQueue = useCallback((change: (current: OutboxEntry[]) => OutboxEntry[]) => {
    const next = change(queueRef.current);
    if (next === queueRef.current) return;
    queueRef.current = next;
    setQueueState(next);
    saveOutbox(outboxScope, next);
  }, [outboxScope]);
  const inFlight = useRef<string | null>(null);
  // When each queued change may be sent (kept in memory: after a reload everything is due).
  const due = useRef(new Map<string, { readyAt: number; createdAt: number }>());
  const attempts = useRef(new Map<string, number>());
  const lastSent = useRef<LastSent>({ at: 0, line: null });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const networkFailures = useRef(0);
  // A live cart that arrived while a change was in flight: applied after its answer, so a
  // change is never counted twice (once in the cart, once still queued).
  const heldLive = useRef<CartView | null>(null);
  const [offline, setOffline] = useState(false);
  const offlineRef = useRef(false);
  const markOffline = useCallback(
    (value: boolean) => {
      if (offlineRef.current === value) return;
      offlineRef.current = value;
      setOffline(value);
      if (value) announce("busy", messages.offlineQueued);
    },
    [announce, messages],
  );

  const channel = useRef<TabChannel | null>(null);
  const pumpRef = useRef<() => void>(() => {});

  const schedule = useCallback((ms: number) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      pumpRef.current();
    }, ms);
  }, []);

  const finish = useCallback(
    (entry: OutboxEntry, result: CartActionResult) => {
      inFlight.current = null;
      attempts.current.delete(entry.key);
      due.current.delete(entry.key);
      const from = confirmedRef.current.id;
      takeCart(result.cart);
      if (heldLive.current) {
        takeCart(heldLive.current);
        heldLive.current = null;
      }
      updateQueue((current) => current.filter((queued) => queued.key !== entry.key));
      if (!result.ok) {
        // The optimistic change is gone from the view with its entry; the control says why.
        const text = cartErrorMessage(result.error.code, messages);
        if (entry.openDrawer) setDrawer((current) => (current === "add" ? null : current));
        setNote(entry.control, { tone: "error", text });
        announce("error", text);
        return;
      }
      // Clears "Busy — retrying…", not a refusal said since (an add capped at the limit meanwhile).
      const control = entry.control;
      if (control !== undefined) {
        setNotes((current) => {
          if (current[control]?.tone !== "busy") return current;
          const next = { ...current };
          delete next[control];
          return next;
        });
      }
      channel.current?.post({ from, cart: result.cart });
      // One announcement per burst: the last change of it.
      const more = queueRef.current.some((queued) => queued.control === entry.control && queued.control !== undefined);
      if (entry.success && !more) announce("success", entry.success);
    },
    [announce, messages, setNote, takeCart, updateQueue],
  );

  const send = useCallback(
    async (entry: OutboxEntry) => {
      inFlight.current = entry.key;
      lastSent.current = { at: Date.now(), line: entry.line };
      if (!entry.sent) updateQueue((current) => current.map((queued) => (queued.key === entry.key ? { ...queued, sent: true } : queued)));
      const action = actions[entry.action];
      let result: CartActionResult | null = null;
      let network = false;
      try {
        // A note change kept from a page whose provider had the note action, sent by one without it.
        if (!action) throw new Error(`no ${entry.action} action`);
        const data = fieldsToSend(entry);
        result = await action(data);
        // Sent with a cookie from before a sign-in or sign-out that finished meanwhile:
        // nothing was changed, and the browser now holds the new cookie. Send it again.
        for (let again = 0; again < 2 && !result.ok && result.error.code === "SESSION_ROTATED"; again += 1) {
          result = await action(fieldsToSend(entry));
        }
      } catch (err) {
        network = isNetworkError(err);
      }
      if (result === null && network) {
        // Offline, or the answer was lost: the change stays queued with its key and is
        // sent again when the connection is back (the server replays it if it had applied it).
        inFlight.current = null;
        markOffline(true);
        const wait = NETWORK_RETRY_MS[Math.min(networkFailures.current, NETWORK_RETRY_MS.length - 1)]!;
        networkFailures.current += 1;
        schedule(wait);
        return;
      }
      networkFailures.current = 0;
      markOffline(false);
      const attempt = attempts.current.get(entry.key) ?? 0;
      const wait = retryWait(result, attempt);
      if (wait !== null) {
        inFlight.current = null;
        attempts.current.set(entry.key, attempt + 1);
        setNote(entry.control, { tone: "busy", text: messages.busyRetrying });
        announce("busy", messages.busyRetrying);
        schedule(wait * 1000);
        return;
      }
      if (result === null) {
        // Every attempt failed in transport (not the network): give the change up, visibly.
        inFlight.current = null;
        attempts.current.delete(entry.key);
        due.current.delete(entry.key);
        updateQueue((current) => current.filter((queued) => queued.key !== entry.key));
        setNote(entry.control, { tone: "error", text: messages.genericError });
        announce("error", messages.genericError);
      } else {
        finish(entry, result);
      }
      pumpRef.current();
    },
    [actions, announce, finish, markOffline, messages, schedule, setNote, updateQueue],
  );

  const pump = useCallback(() => {
    if (inFlight.current) return;
    const next = queueRef.current[0];
    if (!next) return;
    if (offlineRef.current && typeof navigator !== "undefined" && navigator.onLine === false) return;
    const when = due.current.get(next.key);
    const now = Date.now();
    if (when && when.readyAt > now) {
      schedule(when.readyAt - now);
      return;
    }
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    void send(next);
  }, [schedule, send]);
  useLayoutEffect(() => {
    pumpRef.current = pump;
  }, [pump]);

  // Changes queued before a reload (or by a tab closed offline) are shown and sent once hydrated.
  useEffect(() => {
    const stored = loadOutbox(outboxScope);
    if (stored.length > 0) {
      queueRef.current = [...stored, ...queueRef.current];
      setQueueState(queueRef.current);
      saveOutbox(outboxScope, queueRef.current);
      pumpRef.current();
    }
    const online = () => {
      networkFailures.current = 0;
      markOffline(false);
      pumpRef.current();
    };
    const offlineNow = () => markOffline(true);
    window.addEventListener("online", online);
    window.addEventListener("offline", offlineNow);
    if (navigator.onLine === false) markOffline(true);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offlineNow);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [markOffline, outboxScope]);

  const submitForm = useCallback<CartContextValue["submitForm"]>(
    (event, action, intent, control) => {
      const form = event.currentTarget;
      const submitter = (event.nativeEvent as SubmitEvent).submitter;
      const formData = formDataForCall(form, submitter);
      // No prediction (input the server should judge): the server's answer alone decides.
      const meaning = intent(formData);
      event.preventDefault();
      setNote(control?.key, null);
      let op = meaning?.op ?? null;
      const named = (Object.keys(actions) as OutboxAction[]).find((name) => actions[name] === action);
      const actionName = op ? actionOf(op) : named;
      if (!actionName) {
        // An action that is not one of the provider's: sent on its own, as it is.
        void sendChange(action, formData, () => announce("busy", messages.busyRetrying)).then((result) => {
          if (result) takeCart(result.cart);
        });
        return;
      }
      // An add never goes past the per-line maximum: what fits is queued, the rest refused at once.
      let capped = false;
      if (op?.type === "add") {
        const view = viewOf(confirmedRef.current, queueRef.current, limits);
        const key = lineKey(op);
        const has = view.items.find((item) => lineKey(item) === key)?.quantity ?? 0;
        const room = limits.maxQuantity - has;
        if (room < op.quantity) {
          capped = true;
          op = room > 0 ? { ...op, quantity: room } : null;
        }
        if (!op) {
          const text = messages.errors.QUANTITY_LIMIT;
          setNote(control?.key, { tone: "error", text });
          announce("error", text);
          return;
        }
      }
      const entry: OutboxEntry = {
        key: String(formData.get("idempotencyKey")),
        action: actionName,
        op,
        fields: fieldsOf(formData),
        line: opLineKey(op),
        sent: false,
        control: control?.key,
        success: op && meaning ? (capped ? fillMessage(messages.quantityNow, { name: nameOf(op, confirmedRef.current), quantity: limits.maxQuantity }) : meaning.success) : undefined,
        openDrawer: control?.openDrawer,
      };
      const now = Date.now();
      const nothingPending = inFlight.current === null && queueRef.current.length === 0;
      let target = entry.key;
      updateQueue((current) => {
        const { queue: next, folded } = enqueue(current, entry, confirmedRef.current);
        if (folded) target = next.find((queued) => !current.includes(queued))?.key ?? entry.key;
        return next;
      });
      const known = due.current.get(target);
      const createdAt = known?.createdAt ?? now;
      due.current.set(target, { createdAt, readyAt: sendAt({ now, createdAt, line: entry.line, nothingPending }, lastSent.current) });
      if (control?.openDrawer && meaning) setDrawer("add");
      if (capped) {
        const text = messages.errors.QUANTITY_LIMIT;
        setNote(control?.key, { tone: "error", text });
        announce("error", text);
      }
      if (offlineRef.current && !nothingPending) return;
      if (offlineRef.current) announce("busy", messages.offlineQueued);
      pumpRef.current();
    },
    [actions, announce, limits, messages, setNote, takeCart, updateQueue],
  );

  // ---- Other tabs of this browser, and other devices --------------------------------

  const confirmedId = useRef(confirmedCart.id);
  useEffect(() => {
    confirmedId.current = confirmedCart.id;
  }, [confirmedCart.id]);

  // Other tabs of this browser post the carts their changes produced.
  useEffect(() => {
    const opened = openTabChannel((message) => {
      const kept = takeFromOtherTab(confirmedRef.current, message);
      if (kept !== confirmedRef.current) takeCart(kept);
    });
    channel.current = opened;
    return () => {
      opened?.close();
      channel.current = null;
    };
  }, [takeCart]);

  // Signed out in another tab: said here, also after the refresh that remounts the provider.
  const [signedOutNotice, setSignedOutNotice] = useState(false);
  useEffect(() => {
    const store = sessionStore();
    if (store?.getItem(SIGNED_OUT_FLAG)) {
      store.removeItem(SIGNED_OUT_FLAG);
      // eslint-disable-next-line react-hooks/set-state-in-effect -- read once from the browser's storage after hydration
      setSignedOutNotice(true);
      announce("success", messages.signedOutElsewhere);
    }
  }, [announce, messages]);

  const refreshRouter = useRef<() => void>(() => {});
  const onRouterReady = useCallback((refresh: () => void) => {
    refreshRouter.current = refresh;
  }, []);
  const signedInRef = useRef(signedIn);
  useEffect(() => {
    signedInRef.current = signedIn;
  }, [signedIn]);

  const [liveMode, setLiveMode] = useState<LiveMode>("off");
  // Followed once there is a cart to follow (or a signed-in user, whose other devices may make
  // one): a visitor who only browses opens no stream, and is given no session cookie by it.
  const follows = live && (signedIn === true || confirmedCart.id !== null);
  useEffect(() => {
    if (!follows || typeof fetch !== "function") return;
    const base = basePath.replace(/\/$/, "");
    const apply = (cart: CartView) => {
      const before = confirmedRef.current;
      if (cart.id === before.id && cart.version <= before.version) return;
      // A change that left without an answer yet (in flight, or its answer lost) may already be
      // in this cart: hold it until that answer, so the change is not shown twice.
      if (inFlight.current || queueRef.current.some((entry) => entry.sent)) {
        heldLive.current = heldLive.current ? newerCart(heldLive.current, cart) : cart;
        return;
      }
      const kept = takeCart(cart);
      if (kept !== before && queueRef.current.length === 0) announce("success", messages.cartUpdated);
    };
    return followCart(
      {
        onCart: apply,
        onMode: setLiveMode,
        currentVersion: () => confirmedRef.current.version,
        onRotated: () => {
          const renderAtRotation = renderedRef.current;
          void (async () => {
            if (signedInRef.current) {
              try {
                // The rotation may reach this stream before the answer that carries the new
                // cookie reaches the browser (another tab's sign-out): the old cookie then gets
                // 409 SESSION_ROTATED, and a moment later the new one answers.
                let response = await fetch(`${base}/session`, { credentials: "same-origin", cache: "no-store" });
                for (let attempt = 0; response.status === 409 && attempt < 10; attempt += 1) {
                  await new Promise((resolve) => setTimeout(resolve, 200));
                  response = await fetch(`${base}/session`, { credentials: "same-origin", cache: "no-store" });
                }
                const body = (await response.json()) as { user?: unknown };
                if (response.ok && body.user === null) {
                  sessionStore()?.setItem(SIGNED_OUT_FLAG, "1");
                  setSignedOutNotice(true);
                  announce("success", messages.signedOutElsewhere);
                }
              } catch {
                // The refresh below shows the truth either way.
              }
            }
            // A second for the page's own navigation (a sign-in or sign-out here) to land: a
            // refresh racing it would render once more and take the notices shown once (a merge).
            await new Promise((resolve) => setTimeout(resolve, 1000));
            if (renderedRef.current === renderAtRotation) refreshRouter.current();
          })();
        },
      },
      { basePath: base },
    );
  }, [follows, basePath, announce, messages, takeCart]);

  const cart = useMemo(() => viewOf(confirmedCart, queue, limits), [confirmedCart, queue, limits]);
  const isPending = queue.length > 0;

  const value = useMemo<CartContextValue>(
    () => ({
      cart,
      confirmedCart,
      isPending,
      offline,
      actions,
      limits,
      messages,
      productLink,
      notes,
      drawer,
      openDrawer,
      closeDrawer,
      submitForm,
    }),
    [cart, confirmedCart, isPending, offline, actions, limits, messages, productLink, notes, drawer, openDrawer, closeDrawer, submitForm],
  );

  return (
    <CartContext value={value}>
      {children}
      {live ? (
        <WithoutRouter>
          <RouterRefresh onReady={onRouterReady} />
        </WithoutRouter>
      ) : null}
      {offline || signedOutNotice ? (
        <div className="nc nc-notice-bar" data-testid={offline ? "cart-offline" : "session-notice"}>
          <p className="nc-notice-bar-text">{offline ? messages.offlineQueued : messages.signedOutElsewhere}</p>
          {offline ? null : (
            <button type="button" className="nc-notice-bar-dismiss" onClick={() => setSignedOutNotice(false)} aria-label={messages.dismiss}>
              <span aria-hidden="true">×</span>
            </button>
          )}
        </div>
      ) : null}
      <div
        role="status"
        aria-live="polite"
        aria-atomic="true"
        className="nc nc-status"
        data-tone={status?.tone ?? "success"}
        data-visible={statusVisible && status ? "true" : "false"}
        data-testid="cart-status"
        data-hydrated={hydrated ? "true" : "false"}
        data-pending={isPending ? String(queue.length) : undefined}
        data-live={liveMode}
      >
        {status?.text ?? ""}
      </div>
    </CartContext>
  );
}

function nameOf(op: CartOp, cart: CartView): string {
  if (isWholeCartOp(op)) return "";
  if (op.type === "add" && op.product) return op.product.name;
  return cart.items.find((item) => lineKey(item) === lineKey(op))?.name ?? op.productId;
}

// The cart and its operations. Every caller sees the same (optimistic) cart.
export function useCart(): CartContextValue {
  const context = useContext(CartContext);
  if (!context) throw new Error("useCart must be used inside <CartProvider>");
  return context;
}
