import { redirect } from "next/navigation";
import { z } from "zod";
import type { CartResult } from "@/lib/cart/service";
import { getCart } from "@/lib/cart/service";
import { returnToSchema } from "@/lib/cart/schemas";
import type { CartActionResult } from "@/lib/cart/types";
import { emptyCartView } from "@/lib/cart/view";
import { AppError } from "@/lib/errors";
import { limitCartAction } from "@/lib/http/rate-limit";
import { log } from "@/lib/log/logger";
import { commitSessionToCookies, sessionFromCookies } from "@/lib/session/next-cookies";
import type { Session } from "@/lib/session/session";

/**
 * The shared body of every cart server action: session in, one service
 * call, cookie out. With JavaScript (`js=1`) it returns the result to the
 * cart provider; a plain form post is redirected back to its page.
 */
export async function runCartAction(
  formData: FormData,
  work: (session: Session, fields: Record<string, FormDataEntryValue>) => Promise<CartResult>,
): Promise<CartActionResult> {
  const fields = Object.fromEntries(formData.entries());
  const viaScript = fields.js === "1";
  const session = await sessionFromCookies();

  let result: CartActionResult;
  try {
    await limitCartAction(session.sid); // rate limit (lib/http/rate-limit.ts): throws RATE_LIMITED
    const outcome = await work(session, fields);
    await commitSessionToCookies(outcome.session);
    result = { ok: true, cart: outcome.cart };
  } catch (err) {
    result = { ok: false, error: describe(err), cart: await currentCart(session) };
  }

  if (viaScript) return result;
  const returnTo = returnToSchema.parse(fields.returnTo ?? "/cart");
  redirect(result.ok ? returnTo : withError(returnTo, result.error.code));
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof z.ZodError) return { code: "VALIDATION_ERROR", message: "That request was not valid." };
  if (err instanceof AppError) return { code: err.code, message: err.message };
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
