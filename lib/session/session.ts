import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { CartNotice } from "@/lib/cart/types";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log/logger";
import { store } from "@/lib/storage/store";
import type { SessionCookie } from "./cookie";
import { unsealSession } from "./cookie";
import { validUserSession } from "./user-sessions";

/** Whether a signed-in session still stands: the store's record first, Postgres when it has none. */
export async function userSessionLive(sid: string, userId: string): Promise<boolean> {
  try {
    const raw = await (await store()).get(recordKey(sid));
    if (raw !== null) {
      const record = parseRecord(raw);
      return record !== null && !record.revoked && record.userId === userId;
    }
  } catch {
    // store away: ask Postgres
  }
  return (await validUserSession(sid, userId)) !== null;
}

/**
 * A shopper's session for one request. The cookie holds the ids; the record
 * in the store holds the sliding TTL and what is shown once (notices).
 *
 * - Guest whose record is gone (idle expiry, flushed store): a new session
 *   starts with the cookie's cart reference, so the cart comes back.
 * - Signed-in whose record is gone: honoured only while Postgres says the
 *   session was not revoked (sign-out is final even if the store forgets).
 * - Store down: the cookie carries the session (degraded, still correct;
 *   signed-in sessions are then checked against Postgres on every request).
 */
export interface Session {
  sid: string;
  startedAt: number;
  /**
   * The cart this session writes to. Allocated with the session, created in
   * Postgres on the first add, so concurrent first adds share one cart.
   */
  cartId: string;
  userId: string | null;
  email: string | null;
  /**
   * Where Idempotency-Keys are kept: carried from cookie to cookie across lost
   * records (idle expiry, flushed store), new on sign-in and sign-out.
   */
  idempotencyScope: string;
  /** Shown once by the next cart read, then dropped from the record. */
  notices: CartNotice[];
  /** The cookie must be (re)sealed and sent. */
  cookieDirty: boolean;
  /** The store record must be written. */
  recordDirty: boolean;
  degraded: boolean;
}

const recordSchema = z.object({
  startedAt: z.number().int(),
  cartId: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable().optional(),
  notices: z.array(z.any()).optional(),
  /** A signed-out session's tombstone. */
  revoked: z.literal(true).optional(),
});
type SessionRecord = z.infer<typeof recordSchema>;

const recordKey = (sid: string) => `sess:${sid}`;

export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}

/** How long a session's record lives without activity. */
export function sessionTtlSeconds(signedIn: boolean): number {
  return signedIn ? env().USER_SESSION_DAYS * 86_400 : env().GUEST_SESSION_IDLE_SECONDS;
}

export function freshSession(
  carry: { sid?: string; cartId?: string | null; userId?: string | null; email?: string | null; idempotencyScope?: string } = {},
): Session {
  return {
    sid: carry.sid ?? newSessionId(),
    startedAt: Date.now(),
    cartId: carry.cartId ?? randomUUID(),
    userId: carry.userId ?? null,
    email: carry.email ?? null,
    idempotencyScope: carry.idempotencyScope ?? newSessionId(),
    notices: [],
    cookieDirty: true,
    recordDirty: true,
    degraded: false,
  };
}

function parseRecord(raw: string | null): SessionRecord | null {
  if (raw === null) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function fromCookie(data: SessionCookie, staleKey: boolean, startedAt: number): Session {
  return {
    sid: data.sid,
    startedAt,
    cartId: data.cid ?? randomUUID(),
    userId: data.uid,
    email: null,
    idempotencyScope: data.ik ?? data.sid,
    notices: [],
    cookieDirty: staleKey || data.cid === null,
    recordDirty: false,
    degraded: false,
  };
}

/** A signed-in cookie without a usable record: Postgres decides. Never the user's cart otherwise. */
async function restoreSignedIn(data: SessionCookie, staleKey: boolean, degraded: boolean): Promise<Session> {
  const startedAt = await validUserSession(data.sid, data.uid!);
  if (startedAt === null) return freshSession();
  return { ...fromCookie(data, staleKey, startedAt), recordDirty: !degraded, degraded };
}

/** Resolves the session from the cookie value; never throws for a bad cookie or a down store. */
export async function resolveSession(cookieValue: string | undefined): Promise<Session> {
  return resolveUnsealed(await unsealSession(cookieValue));
}

/**
 * The same, from a cookie already unsealed, so callers can start other store
 * work keyed by the session id alongside; `newSid` is the id a visitor
 * without a valid cookie gets.
 */
export async function resolveUnsealed(unsealed: Awaited<ReturnType<typeof unsealSession>>, newSid?: string): Promise<Session> {
  if (!unsealed) return freshSession({ sid: newSid });
  const { data, staleKey } = unsealed;
  const signedIn = data.uid !== null;
  let record: SessionRecord | null;
  try {
    record = parseRecord(await (await store()).getAndTouch(recordKey(data.sid), sessionTtlSeconds(signedIn)));
  } catch (err) {
    log.debug("session store unavailable, serving from the cookie", { err });
    if (signedIn) return restoreSignedIn(data, staleKey, true);
    return { ...fromCookie(data, staleKey, data.sa), degraded: true };
  }
  if (record?.revoked) return freshSession();
  if (!record || record.userId !== data.uid) {
    // Idle expiry or a flushed store: a guest keeps the cart and the idempotency scope; a signed-in session asks Postgres.
    return signedIn ? restoreSignedIn(data, staleKey, false) : freshSession({ cartId: data.cid, idempotencyScope: data.ik ?? data.sid });
  }
  return { ...fromCookie(data, staleKey, record.startedAt), email: record.email ?? null, notices: (record.notices ?? []) as CartNotice[] };
}

/** Points the session at another cart (when its cart became unreachable, a new one is allocated). */
export function withCart(session: Session, cartId: string): Session {
  if (session.cartId === cartId) return session;
  return { ...session, cartId, cookieDirty: true, recordDirty: true };
}

/** The notices to show now; the session forgets them once saved. */
export function takeNotices(session: Session): { notices: CartNotice[]; session: Session } {
  if (session.notices.length === 0) return { notices: [], session };
  return { notices: session.notices, session: { ...session, notices: [], recordDirty: true } };
}

export function toCookie(session: Session): SessionCookie {
  return { v: 1, sid: session.sid, cid: session.cartId, uid: session.userId, sa: session.startedAt, ik: session.idempotencyScope };
}

/** Writes the store record if needed; a down store only costs the sliding TTL and pending notices. */
export async function saveSessionRecord(session: Session): Promise<void> {
  if (!session.recordDirty || session.degraded) return;
  const record: SessionRecord = {
    startedAt: session.startedAt,
    cartId: session.cartId,
    userId: session.userId,
    email: session.email,
    ...(session.notices.length > 0 ? { notices: session.notices } : {}),
  };
  try {
    await (await store()).set(recordKey(session.sid), JSON.stringify(record), sessionTtlSeconds(session.userId !== null));
  } catch (err) {
    log.debug("could not write the session record", { err });
  }
}

/** Ends a session in the store: a tombstone, so a copied cookie cannot revive it from the store. */
export async function endSessionRecord(session: Session): Promise<void> {
  const tombstone: SessionRecord = { startedAt: session.startedAt, cartId: session.cartId, userId: session.userId, revoked: true };
  try {
    await (await store()).set(recordKey(session.sid), JSON.stringify(tombstone), sessionTtlSeconds(true));
  } catch (err) {
    log.warn("could not write the session tombstone; Postgres still revokes it", { err });
  }
}

export function sessionExpiry(session: Session): { startedAt: string; expiresAt: string; idleTimeoutSeconds: number } {
  const idle = sessionTtlSeconds(session.userId !== null);
  return {
    startedAt: new Date(session.startedAt).toISOString(),
    expiresAt: new Date(Date.now() + idle * 1000).toISOString(),
    idleTimeoutSeconds: idle,
  };
}
