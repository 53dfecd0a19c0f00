// GET /cart/recover?token=… — open a recovery link: restore a copy of that cart into this one
import { NextResponse, type NextRequest } from "next/server";
import { readRecoveryToken } from "@/lib/cart/recovery";
import { restoreCopy } from "@/lib/cart/service";
import { publicOrigin } from "@/lib/http/request";
import { writeSession } from "@/lib/http/session-route";
import { sessionCookieName } from "@/lib/session/cookie";
import { resolveSession } from "@/lib/session/session";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  const to = (path: string) => NextResponse.redirect(new URL(path, publicOrigin(req)), 303);
  const check = await readRecoveryToken(req.nextUrl.searchParams.get("token"));
  if (!check.ok) return to(`/cart/recover/failed?reason=${check.reason}`);
  try {
    const session = await resolveSession(req.cookies.get(sessionCookieName())?.value);
    const { session: next } = await restoreCopy(session, check);
    const res = to("/cart?restored=1");
    await writeSession(res, next);
    return res;
  } catch {
    return to("/cart/recover/failed?reason=unavailable");
  }
}
