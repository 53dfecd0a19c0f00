import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { IdempotencyContext, StoredOutcome } from "@/lib/cart/idempotency";
import { acquireLease, findOutcome, fingerprintOf, isDuplicateOutcome, isIdempotencyKey, recordOutcome, releaseLease } from "@/lib/cart/idempotency";
import type { CartResult, MutationOptions } from "@/lib/cart/service";
import { getCart } from "@/lib/cart/service";
import { returnToSchema } from "@/lib/cart/schemas";
import type { CartActionResult } from "@/lib/cart/types";
import { emptyCartView } from "@/lib/cart/view";
import { AppError } from "@/lib/errors";
import { toAppError } from "@/lib/http/errors";
import { limitCartAction } from "@/lib/http/rate-limit";
import { assertSameHostOrigin } from "@/lib/http/request";
import { log } from "@/lib/log/logger";
import { commitSessionToCookies, sessionFromCookies } from "@/lib/session/next-cookies";
import type { Session } from "@/lib/session/session";

/**
 * The shared body of every cart server action: origin check, rate limit,
 * session in, one service call, cookie out. A form's `idempotencyKey` field
 * makes a double submit apply once. With JavaScript (`js=1`) the result goes
 * back to the cart provider; a plain form post is redirected to its page.
 */
type Work = (session: Session, fields: Record<string, FormDataEntryValue>, mutation: MutationOptions) => Promise<CartResult>;

export async function runCartAction(name: string, formData: FormData, work: Work): Promise<CartActionResult> {
  const fields = Object.fromEntries(formData.entries());
  const viaScript = fields.js === "1";
  const session = await sessionFromCookies();

  let result: CartActionResult;
  try {
    assertSameHostOrigin(await headers());
    await limitCartAction(session.sid); // rate limit (lib/http/rate-limit.ts): throws RATE_LIMITED
    const key = fields.idempotencyKey;
    const idempotency = isIdempotencyKey(key) ? { scope: session.sid, key, fingerprint: fingerprintOf("ACTION", name, fieldsFingerprint(fields)) } : undefined;
    result = idempotency ? await once(idempotency, session, work, fields) : await attempt(session, work, fields, {});
  } catch (err) {
    result = { ok: false, error: describe(err), cart: await currentCart(session) };
  }

  if (viaScript) return result;
  const returnTo = returnToSchema.parse(fields.returnTo ?? "/cart");
  redirect(result.ok ? returnTo : withError(returnTo, result.error.code));
}

async function attempt(session: Session, work: Work, fields: Record<string, FormDataEntryValue>, mutation: MutationOptions): Promise<CartActionResult> {
  try {
    const outcome = await work(session, fields, mutation);
    await commitSessionToCookies(outcome.session);
    return { ok: true, cart: outcome.cart };
  } catch (err) {
    if (isDuplicateOutcome(err)) throw err;
    return { ok: false, error: describe(err), cart: await currentCart(session) };
  }
}

/** The same exactly-once rule as the HTTP API: replay a stored outcome, run at most once. */
async function once(idem: IdempotencyContext, session: Session, work: Work, fields: Record<string, FormDataEntryValue>): Promise<CartActionResult> {
  const stored = await findOutcome(idem);
  if (stored) return replayed(stored, session);
  if (!(await acquireLease(idem))) throw new AppError("IDEMPOTENCY_IN_PROGRESS", "That change is still being made.");
  try {
    const result = await attempt(session, work, fields, { idempotency: idem });
    if (result.ok || result.error.code !== "SERVICE_UNAVAILABLE") await recordOutcome(idem, result.ok ? 200 : 422, result);
    return result;
  } catch (err) {
    const first = isDuplicateOutcome(err) ? await findOutcome(idem) : null;
    if (first) return replayed(first, session);
    throw err;
  } finally {
    await releaseLease(idem);
  }
}

/**
 * A replay answers with the cart as it is now: the change itself is not
 * repeated. (A change stores the cart it produced; a refusal stores itself.)
 */
async function replayed(first: StoredOutcome, session: Session): Promise<CartActionResult> {
  if (first.status === 200) return { ok: true, cart: await currentCart(session) };
  const refusal = first.body as Partial<Extract<CartActionResult, { ok: false }>>;
  const error = refusal.error ?? { code: "VALIDATION_ERROR", message: "That request was not valid." };
  return { ok: false, error, cart: await currentCart(session) };
}

/** The fields that define the request (not the transport's own: js, returnTo, the key, React's). */
function fieldsFingerprint(fields: Record<string, FormDataEntryValue>): string {
  const relevant = Object.entries(fields)
    .filter(([name]) => !["js", "returnTo", "idempotencyKey"].includes(name) && !name.startsWith("$ACTION"))
    .map(([name, value]) => [name, typeof value === "string" ? value : "[file]"])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return JSON.stringify(relevant);
}

function describe(err: unknown): { code: string; message: string } {
  const known = toAppError(err);
  if (known) return { code: known.code, message: known.message };
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
