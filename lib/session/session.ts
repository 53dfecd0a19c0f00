import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log/logger";
import { store } from "@/lib/storage/store";
import type { SessionCookie } from "./cookie";
import { unsealSession } from "./cookie";

/**
 * A shopper's session for one request. The record in the store holds the
 * sliding idle TTL; the cookie holds the ids. When the record is gone
 * (idle expiry, or the store was flushed) a new session starts and keeps the
 * cookie's cart reference, so the cart comes back. When the store is down
 * the cookie alone carries the session (degraded, still correct).
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
});
type SessionRecord = z.infer<typeof recordSchema>;

const recordKey = (sid: string) => `sess:${sid}`;

export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}

function freshSession(carry: { cartId: string | null; userId: string | null }): Session {
  return {
    sid: newSessionId(),
    startedAt: Date.now(),
    cartId: carry.cartId ?? randomUUID(),
    userId: carry.userId,
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

/** Resolves the session from the cookie value; never throws for a bad cookie or a down store. */
export async function resolveSession(cookieValue: string | undefined): Promise<Session> {
  const unsealed = await unsealSession(cookieValue);
  if (!unsealed) return freshSession({ cartId: null, userId: null });
  const { data, staleKey } = unsealed;
  const kv = await store();
  try {
    const record = parseRecord(await kv.getAndTouch(recordKey(data.sid), env().GUEST_SESSION_IDLE_SECONDS));
    if (!record) {
      // Idle expiry (or a flushed store): a new session, the same cart.
      return freshSession({ cartId: data.cid, userId: data.uid });
    }
    return {
      sid: data.sid,
      startedAt: record.startedAt,
      cartId: data.cid ?? randomUUID(),
      userId: data.uid,
      cookieDirty: staleKey || data.cid === null,
      recordDirty: false,
      degraded: false,
    };
  } catch (err) {
    log.debug("session store unavailable, serving from the cookie", { err });
    return { sid: data.sid, startedAt: data.sa, cartId: data.cid ?? randomUUID(), userId: data.uid, cookieDirty: staleKey, recordDirty: false, degraded: true };
  }
}

/** Points the session at another cart (when its cart became unreachable, a new one is allocated). */
export function withCart(session: Session, cartId: string): Session {
  if (session.cartId === cartId) return session;
  return { ...session, cartId, cookieDirty: true, recordDirty: true };
}

export function toCookie(session: Session): SessionCookie {
  return { v: 1, sid: session.sid, cid: session.cartId, uid: session.userId, sa: session.startedAt };
}

/** Writes the store record if needed; a down store only costs the sliding TTL. */
export async function saveSessionRecord(session: Session): Promise<void> {
  if (!session.recordDirty) return;
  const record: SessionRecord = { startedAt: session.startedAt, cartId: session.cartId, userId: session.userId };
  try {
    await (await store()).set(recordKey(session.sid), JSON.stringify(record), env().GUEST_SESSION_IDLE_SECONDS);
  } catch (err) {
    log.debug("could not write the session record", { err });
  }
}

export function sessionExpiry(session: Session): { startedAt: string; expiresAt: string; idleTimeoutSeconds: number } {
  const idle = env().GUEST_SESSION_IDLE_SECONDS;
  return {
    startedAt: new Date(session.startedAt).toISOString(),
    expiresAt: new Date(Date.now() + idle * 1000).toISOString(),
    idleTimeoutSeconds: idle,
  };
}
