import { cookies } from "next/headers";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions } from "./cookie";
import type { Session } from "./session";
import { resolveSession, saveSessionRecord, toCookie } from "./session";

/** The session from next/headers cookies (server actions, Auth.js callbacks, server components). */
export async function sessionFromCookies(): Promise<Session> {
  const jar = await cookies();
  return resolveSession(jar.get(sessionCookieName())?.value);
}

/** Saves the record and, where it changed, the cookie (server actions and route handlers only). */
export async function commitSessionToCookies(session: Session): Promise<void> {
  await saveSessionRecord(session);
  if (!session.cookieDirty) return;
  const jar = await cookies();
  jar.set(sessionCookieName(), await sealSession(toCookie(session)), sessionCookieOptions(cookieMaxAgeSeconds(session.userId !== null)));
}
