import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { IdempotencyContext } from "../cart/idempotency";
import { isIdempotencyKey } from "../cart/idempotency";
import type { MutationOptions } from "../cart/service";
import type { SessionCartResult as CartResult } from "../session/cart";
import { addItem, clearCart, getCart, removeItem, setItemQuantity } from "../session/cart";
import { addItemFormSchema, removeItemFormSchema, returnToSchema, setQuantityFormSchema } from "../cart/schemas";
import type { CartActionResult, CartView } from "../cart/types";
import { emptyCartView } from "../cart/view";
import { retryAfterSeconds, toAppError } from "./errors";
import { overloadedError } from "./admission";
import type { Outcome } from "./once";
import { keyedRequest, runOnce } from "./once";
import { limitCartAction } from "./rate-limit";
import { assertSameHostOrigin } from "./request";
import { log } from "../log/logger";
import { withActionContext } from "./request-context";
import { commitSessionToCookies, sessionFromCookies } from "../session/next-cookies";
import type { Session } from "../session/session";

// The shared body of every cart server action: origin check, rate limit,
// session in, one service call, cookie out. A form's `idempotencyKey` field
// makes a double submit apply once. With JavaScript (`js=1`) the result goes
// back to the cart provider; a plain form post is redirected to its page.
type Work = (session: Session, fields: Record<string, FormDataEntryValue>, mutation: MutationOptions) => Promise<CartResult>;

export async function runCartAction(name: string, formData: FormData, work: Work): Promise<CartActionResult> {
  return withActionContext(name, () => cartAction(name, formData, work), () => {
    // Past the process's capacity: nothing is read or written; the provider retries after the wait.
    const { body, retryAfter } = overloadedError();
    const error = { code: body.error.code, message: body.error.message, retryAfter: Number(retryAfter) };
    return answerFor(Object.fromEntries(formData.entries()), { ok: false, error, cart: emptyCartView() });
  });
}

// With JavaScript the result goes back to the provider; a plain form post is redirected to its page.
function answerFor(fields: Record<string, FormDataEntryValue>, result: CartActionResult): CartActionResult {
  if (fields.js === "1") return result;
  const returnTo = returnToSchema.catch("/cart").parse(fields.returnTo ?? "/cart");
  redirect(result.ok ? returnTo : withError(returnTo, result.error.code));
}

async function cartAction(name: string, formData: FormData, work: Work): Promise<CartActionResult> {
  const fields = Object.fromEntries(formData.entries());
  const answer = (result: CartActionResult) => answerFor(fields, result);

  let session: Session;
  try {
    session = await sessionFromCookies();
  } catch (err) {
    // A cookie from before a sign-in or sign-out (SESSION_ROTATED): change nothing, set no cookie.
    return answer({ ok: false, error: describe(err), cart: emptyCartView() });
  }
  let result: CartActionResult;
  try {
    assertSameHostOrigin(await headers());
    await limitCartAction(session.sid); // rate limit (lib/http/rate-limit.ts): throws RATE_LIMITED
    const key = fields.idempotencyKey;
    const idempotency = isIdempotencyKey(key) ? keyedRequest(session, key, { method: "ACTION", path: name, body: fieldsFingerprint(fields) }) : undefined;
    result = idempotency ? await keyed(idempotency, session, work, fields) : await attempt(session, work, fields);
  } catch (err) {
    result = { ok: false, error: describe(err), cart: await currentCart(session) };
  }
  return answer(result);
}

async function attempt(session: Session, work: Work, fields: Record<string, FormDataEntryValue>): Promise<CartActionResult> {
  const outcome = await work(session, fields, {});
  await commitSessionToCookies(outcome.session);
  return { ok: true, cart: outcome.cart };
}

// A keyed change, exactly once, by the API's own rules (lib/http/once.ts):
// a success stores the cart it produced, a refusal its own status and code,
// a 5xx nothing; a replay answers what was stored.
async function keyed(idem: IdempotencyContext, session: Session, work: Work, fields: Record<string, FormDataEntryValue>): Promise<CartActionResult> {
  const result = await runOnce(idem, () => work(session, fields, { idempotency: idem }), ({ cart }) => ({ status: 200, body: cart }));
  await commitSessionToCookies(result.replayed ? session : result.value.session);
  return result.replayed ? fromOutcome(result.outcome, session) : { ok: true, cart: result.value.cart };
}

// A stored outcome as an action's result: a success is the cart it
// produced; a refusal stored no cart (except a version conflict's), so the
// current one is shown beside it — the refusal changed nothing.
async function fromOutcome(outcome: Outcome, session: Session): Promise<CartActionResult> {
  if (outcome.status < 300) return { ok: true, cart: outcome.body as CartView };
  const { error, cart } = outcome.body as { error: { code: string; message: string }; cart?: CartView };
  return { ok: false, error: { code: error.code, message: error.message }, cart: cart ?? (await currentCart(session)) };
}

// The fields that define the request (not the transport's own: js, returnTo, the key, React's).
function fieldsFingerprint(fields: Record<string, FormDataEntryValue>): string {
  const relevant = Object.entries(fields)
    .filter(([name]) => !["js", "returnTo", "idempotencyKey"].includes(name) && !name.startsWith("$ACTION"))
    .map(([name, value]) => [name, typeof value === "string" ? value : "[file]"])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return JSON.stringify(relevant);
}

// `retryAfter` (seconds) tells the cart provider a refusal is transient, as Retry-After does for the API.
function describe(err: unknown): { code: string; message: string; retryAfter?: number } {
  const known = toAppError(err);
  if (known) {
    const retryAfter = retryAfterSeconds(known);
    return retryAfter === undefined ? { code: known.code, message: known.message } : { code: known.code, message: known.message, retryAfter };
  }
  log.error("cart action failed", { err });
  return { code: "INTERNAL_ERROR", message: "Something went wrong on our side." };
}


async function currentCart(session: Session) {
  try {
    return (await getCart(session)).cart;
  } catch {
    return emptyCartView();
  }
}

function withError(path: string, code: string): string {
  const url = new URL(path, "http://local");
  url.searchParams.set("cartError", code);
  return `${url.pathname}${url.search}`;
}

// The four cart actions the components call (FormData in, the whole cart out); the host's
// "use server" file passes each through.
export const cartFormActions = {
  add: (formData: FormData) =>
    runCartAction("add", formData, (session, fields, mutation) =>
      addItem(session, addItemFormSchema.parse(pick(fields, "productId", "quantity")), mutation),
    ),
  setQuantity: (formData: FormData) =>
    runCartAction("setQuantity", formData, (session, fields, mutation) => {
      const { productId, quantity } = setQuantityFormSchema.parse(pick(fields, "productId", "quantity"));
      return setItemQuantity(session, productId, quantity, mutation);
    }),
  remove: (formData: FormData) =>
    runCartAction("remove", formData, (session, fields, mutation) =>
      removeItem(session, removeItemFormSchema.parse(pick(fields, "productId")).productId, mutation),
    ),
  clear: (formData: FormData) => runCartAction("clear", formData, (session, _fields, mutation) => clearCart(session, mutation)),
};

// Forms carry extra fields (js, returnTo, React's own); the schemas see only theirs.
function pick(fields: Record<string, FormDataEntryValue>, ...names: string[]) {
  return Object.fromEntries(names.filter((n) => fields[n] !== undefined && fields[n] !== "").map((n) => [n, fields[n]]));
}
