import { cookies } from "next/headers";
import { AppError } from "../errors";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions } from "./cookie";
import type { Session } from "./session";
import { freshSession, resolveSession, saveSessionRecord, toCookie } from "./session";

// The session from next/headers cookies (server actions, Auth.js callbacks, server components). May throw SESSION_ROTATED.
export async function sessionFromCookies(): Promise<Session> {
  const jar = await cookies();
  return resolveSession(jar.get(sessionCookieName())?.value);
}

// The same for callers that cannot send a refusal (rendering, sign-in and
// sign-out): a cookie from before a rotation counts as no session at all.
export async function sessionFromCookiesOrFresh(): Promise<Session> {
  try {
    return await sessionFromCookies();
  } catch (err) {
    if (err instanceof AppError && err.code === "SESSION_ROTATED") return freshSession();
    throw err;
  }
}

// Saves the record and, where it changed, the cookie (server actions and route handlers only).
export async function commitSessionToCookies(session: Session): Promise<void> {
  const saved = await saveSessionRecord(session);
  if (!saved.cookieDirty) return;
  const jar = await cookies();
  jar.set(sessionCookieName(), await sealSession(toCookie(saved)), sessionCookieOptions(cookieMaxAgeSeconds(saved.userId !== null)));
}
