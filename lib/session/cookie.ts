import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { env } from "../config/env";
import { sealingPassword, sessionPasswords } from "./secret";
import { guestCartWindowSeconds } from "../cart/guest-window";

// The sealed cookie carries ids only: the session id, the cart it may reach
// and the signed-in user. It identifies; the server decides what it reaches.
export const sessionCookieSchema = z.object({
  v: z.literal(1),
  sid: z.string().min(16).max(64),
  cid: z.uuid().nullable(),
  uid: z.string().min(1).max(64).nullable(),
  // When the session started, ms since epoch (kept for degraded mode).
  sa: z.number().int().nonnegative(),
  // Set once the store holds a record for this session: a missing record then means it expired.
  r: z.literal(1).optional(),
  // The Idempotency-Key scope: it lives with the cookie, so it outlasts any
  // session record. Cookies sealed before it existed have none (the sid stands in).
  ik: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional(),
});
export type SessionCookie = z.infer<typeof sessionCookieSchema>;

const MAX_COOKIE_LENGTH = 4096;

export function cookieSecure(): boolean {
  const { SESSION_COOKIE_SECURE, NODE_ENV } = env();
  return SESSION_COOKIE_SECURE === "auto" ? NODE_ENV === "production" : SESSION_COOKIE_SECURE === "true";
}

// `__Host-` binds the cookie to this exact origin; it requires Secure.
export function sessionCookieName(): string {
  const name = env().SESSION_COOKIE_NAME;
  return cookieSecure() ? `__Host-${name}` : name;
}

// Guest cookies live as long as the guest cart may be recovered.
export function cookieMaxAgeSeconds(signedIn: boolean): number {
  const config = env();
  return signedIn ? config.USER_CART_RETENTION_DAYS * 86_400 : guestCartWindowSeconds();
}

export function sessionCookieOptions(maxAge: number) {
  return { httpOnly: true, secure: cookieSecure(), sameSite: "lax" as const, path: "/", maxAge };
}

// Unsealing costs real CPU on every request; a sealed value always unseals to the
// same data, so a bounded per-process cache of recent values is safe.
const UNSEAL_CACHE_MAX = 10_000;
// Per instance (its settings object): a value one instance sealed must never pass another's check.
type UnsealCache = Map<string, { data: SessionCookie; staleKey: boolean; until: number }>;
const unsealCaches = new WeakMap<object, UnsealCache>();

function unsealCache(): UnsealCache {
  const settings = env();
  let cache = unsealCaches.get(settings);
  if (!cache) {
    cache = new Map();
    unsealCaches.set(settings, cache);
  }
  return cache;
}

function passwordIdOf(sealed: string): string | undefined {
  return sealed.split("*")[1];
}

export async function sealSession(data: SessionCookie): Promise<string> {
  return sealData(data, { password: sealingPassword(), ttl: cookieMaxAgeSeconds(data.uid !== null) + 60 });
}

// Returns the session in a cookie value, or null for anything that is not a
// valid, unexpired cookie of ours (tampered, truncated, foreign, expired).
// `staleKey` says it was sealed with an older secret and should be resealed.
export async function unsealSession(value: string | undefined): Promise<{ data: SessionCookie; staleKey: boolean } | null> {
  // Our seals always end in iron-session's "~2"; anything else (even "<seal>x") is not ours.
  if (!value || value.length > MAX_COOKIE_LENGTH || !value.endsWith("~2")) return null;
  const cache = unsealCache();
  const hit = cache.get(value);
  if (hit && hit.until > Date.now()) return hit;
  const { map, currentId } = sessionPasswords();
  let raw: unknown;
  try {
    raw = await unsealData(value, { password: map, ttl: cookieMaxAgeSeconds(true) + 60 });
  } catch {
    return null;
  }
  const parsed = sessionCookieSchema.safeParse(raw);
  if (!parsed.success) return null;
  const entry = { data: parsed.data, staleKey: passwordIdOf(value) !== currentId, until: Date.now() + 60_000 };
  if (cache.size >= UNSEAL_CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(value, entry);
  return entry;
}
