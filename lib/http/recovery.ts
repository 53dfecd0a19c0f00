import { NextResponse, type NextRequest } from "next/server";
import { previewRecoveryLink, readRecoveryToken, type RecoveryPreview } from "../session/recovery-link";
import { restoreSnapshot } from "../session/cart";
import { AppError } from "../errors";
import { log } from "../log/logger";
import { sessionCookieName, unsealSession } from "../session/cookie";
import { resolveSession } from "../session/session";
import { toAppError, toErrorResponse } from "./errors";
import { clientAddress } from "./rate-limit";
import { checkRecoveryLimit } from "./recovery-limit";
import { assertSameOrigin, publicOrigin, refusedBody } from "./request";
import { writeSession } from "./pipeline";

// The two steps of a recovery link. Opening it (GET /cart/recover) only
// reads: mail scanners and other sites can send that request. Confirming it
// (POST /cart/recover/confirm, from the page's plain form) is origin-checked
// and restores the snapshot into the caller's cart.
export type RecoveryPageFailure = "invalid" | "expired" | "used_up" | "busy" | "unavailable";

export const recoveryFailedPath = (reason: RecoveryPageFailure) => `/cart/recover/failed?reason=${reason}`;

// Form fields are tiny: the token and the button.
const MAX_FORM_BYTES = 4096;

// The caller's session id from its cookie, never a new one: counting needs no session record.
async function sessionIdOf(cookieValue: string | undefined): Promise<string | null> {
  return (await unsealSession(cookieValue))?.data.sid ?? null;
}

// GET: what the link would add, or why it adds nothing. Writes no cart, cookie or session record.
export async function openRecoveryLink(
  token: string | null,
  caller: { cookie: string | undefined; headers: Headers },
): Promise<{ ok: true; preview: RecoveryPreview } | { ok: false; reason: RecoveryPageFailure }> {
  const check = await readRecoveryToken(token);
  const verdict = await checkRecoveryLimit({
    sid: await sessionIdOf(caller.cookie),
    address: clientAddress(caller.headers),
    linkId: check.ok ? check.linkId : null,
  });
  if (verdict.limited) return { ok: false, reason: "busy" };
  if (!check.ok) return check;
  try {
    return await previewRecoveryLink(check.linkId);
  } catch (err) {
    log.warn("could not read a recovery link", { err });
    return { ok: false, reason: "unavailable" };
  }
}

// The token from a urlencoded form body of bounded, declared length (Node enforces the length).
async function tokenField(req: NextRequest): Promise<string | null> {
  const mediaType = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the form as application/x-www-form-urlencoded.");
  }
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (!Number.isInteger(declared)) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Send the form with a Content-Length of at most ${MAX_FORM_BYTES} bytes.`);
  }
  if (declared > MAX_FORM_BYTES) throw await refusedBody(req, MAX_FORM_BYTES);
  return new URLSearchParams(await req.text()).get("token");
}

function failureOf(err: unknown): RecoveryPageFailure {
  const known = toAppError(err);
  if (known?.code === "RECOVERY_LINK_USED_UP") return "used_up";
  if (known?.code === "RECOVERY_LINK_EXPIRED") return "expired";
  if (known?.code === "RECOVERY_LINK_INVALID") return "invalid";
  if (!known) log.error("recovery link restore failed", { err });
  return "unavailable";
}

// POST: restores the link's snapshot into the caller's cart, then 303 to the cart.
export async function confirmRecoveryLink(req: NextRequest): Promise<NextResponse> {
  const to = (path: string) => NextResponse.redirect(new URL(path, publicOrigin(req.headers, req.nextUrl.host)), 303);
  let token: string | null;
  try {
    // Another site's form, or a cross-site fetch, changes nothing (403 FORBIDDEN_ORIGIN).
    assertSameOrigin(req);
    token = await tokenField(req);
  } catch (err) {
    return toErrorResponse(err);
  }
  const cookie = req.cookies.get(sessionCookieName())?.value;
  const check = await readRecoveryToken(token);
  const verdict = await checkRecoveryLimit({ sid: await sessionIdOf(cookie), address: clientAddress(req.headers), linkId: check.ok ? check.linkId : null });
  if (verdict.limited) return to(recoveryFailedPath("busy"));
  if (!check.ok) return to(recoveryFailedPath(check.reason));
  try {
    const { session, outcome } = await restoreSnapshot(await resolveSession(cookie), check.linkId);
    const res = to(outcome === "restored" ? "/cart?restored=1" : outcome === "already" ? "/cart?restored=again" : "/cart?restored=none");
    await writeSession(res, session);
    return res;
  } catch (err) {
    return to(recoveryFailedPath(failureOf(err)));
  }
}
