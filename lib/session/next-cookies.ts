import { cookies, headers } from "next/headers";
import { AppError } from "../errors";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions } from "./cookie";
import type { Session } from "./session";
import { freshSession, resolveSession, saveSessionRecord, toCookie } from "./session";

// Where code without a Request (server actions, sign-in hooks, server components) reads the
// request and writes the session cookie: Next.js's request scope by default. Tests, and hosts
// outside Next.js's request scope, pass their own.
export interface RequestIo {
  headers(): Promise<Headers>;
  cookie(name: string): Promise<string | undefined>;
  setCookie(name: string, value: string, options: ReturnType<typeof sessionCookieOptions>): Promise<void>;
}

export const nextRequestIo: RequestIo = {
  headers: async () => new Headers(await headers()),
  cookie: async (name) => (await cookies()).get(name)?.value,
  setCookie: async (name, value, options) => {
    (await cookies()).set(name, value, options);
  },
};

// The session from the request's cookie. May throw SESSION_ROTATED.
export async function sessionFromCookies(io: RequestIo = nextRequestIo): Promise<Session> {
  return resolveSession(await io.cookie(sessionCookieName()));
}

// The same for callers that cannot send a refusal (rendering, sign-in and
// sign-out): a cookie from before a rotation counts as no session at all.
export async function sessionFromCookiesOrFresh(io: RequestIo = nextRequestIo): Promise<Session> {
  try {
    return await sessionFromCookies(io);
  } catch (err) {
    if (err instanceof AppError && err.code === "SESSION_ROTATED") return freshSession();
    throw err;
  }
}

// Saves the record and, where it changed, the cookie (server actions and route handlers only).
export async function commitSessionToCookies(session: Session, io: RequestIo = nextRequestIo): Promise<Session> {
  const saved = await saveSessionRecord(session);
  if (saved.cookieDirty) await io.setCookie(sessionCookieName(), await sealSession(toCookie(saved)), sessionCookieOptions(cookieMaxAgeSeconds(saved.userId !== null)));
  return saved;
}
