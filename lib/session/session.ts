import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { CartNotice } from "../cart/types";
import { env } from "../config/env";
import { AppError, sessionRotated } from "../errors";
import { log } from "../log/logger";
import { recordGuestSessionRecorded } from "../observe/metrics";
import { parseVersioned } from "../storage/kv";
import { store } from "../storage/store";
import { currentRuntime } from "../runtime/context";
import type { SessionCookie } from "./cookie";
import { unsealSession } from "./cookie";
import { userSessionState } from "./user-sessions";

// A shopper's session for one request. The cookie holds the ids; the record in
// the store holds the sliding TTL and what is shown once (notices).
//
// - A visitor without a cookie costs nothing stored: the record is written on
//   the first change (or sign-in), and the cookie then says so (`r`).
// - Guest whose record is gone (idle expiry, flushed store): a new session starts
//   with the cookie's cart reference, so the cart comes back.
// - Signed-in: Postgres is the authority. The store's record is trusted for
//   SESSION_REVALIDATE_SECONDS, then checked again; without a record every
//   request asks Postgres. A revoked session is never honoured.
// - A cookie from before a sign-in or sign-out (a request in flight) answers
//   409 SESSION_ROTATED for a short grace window, so its response never
//   replaces the cookie the sign-in or sign-out set.
export interface Session {
  sid: string;
  startedAt: number;
  // The cart this session writes to. Allocated with the session, created in
  // Postgres on the first add, so concurrent first adds share one cart.
  cartId: string;
  userId: string | null;
  email: string | null;
  // Where Idempotency-Keys are kept: carried from cookie to cookie across lost
  // records (idle expiry, flushed store), new on sign-in and sign-out.
  idempotencyScope: string;
  // Shown once by the next cart read, then dropped from the record.
  notices: CartNotice[];
  // The cart id was allocated by this request: nothing can be stored under it yet.
  newCart: boolean;
  // The store holds (or is about to hold) a record of this session.
  persisted: boolean;
  // When Postgres last confirmed this signed-in session (ms since epoch).
  checkedAt: number;
  // The cookie must be (re)sealed and sent.
  cookieDirty: boolean;
  // The store record must be written.
  recordDirty: boolean;
  degraded: boolean;
}

const recordSchema = z.object({
  startedAt: z.number().int(),
  cartId: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable().optional(),
  notices: z.array(z.any()).optional(),
  checkedAt: z.number().int().optional(),
  // An ended session's tombstone, and when it ended.
  revoked: z.literal(true).optional(),
  endedAt: z.number().int().optional(),
});
type SessionRecord = z.infer<typeof recordSchema>;

// Records are stored versioned (KeyValueStore.setIfNewer): a live record at 0, a
// tombstone at 1, so a slow request's record write can never overwrite a sign-out.
const LIVE = 0;
const ENDED = 1;

const recordKey = (sid: string) => `sess:${sid}`;

export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}

// How long a session's record lives without activity.
export function sessionTtlSeconds(signedIn: boolean): number {
  return signedIn ? env().USER_SESSION_DAYS * 86_400 : env().GUEST_SESSION_IDLE_SECONDS;
}


// A new session. Signed-in sessions are recorded at once; a guest's record waits for its first change.
export function freshSession(
  carry: { sid?: string; cartId?: string | null; userId?: string | null; email?: string | null; idempotencyScope?: string } = {},
): Session {
  const signedIn = (carry.userId ?? null) !== null;
  return {
    sid: carry.sid ?? newSessionId(),
    startedAt: currentRuntime().now(),
    cartId: carry.cartId ?? randomUUID(),
    userId: carry.userId ?? null,
    email: carry.email ?? null,
    idempotencyScope: carry.idempotencyScope ?? newSessionId(),
    notices: [],
    newCart: !carry.cartId,
    persisted: signedIn,
    checkedAt: currentRuntime().now(),
    cookieDirty: true,
    recordDirty: signedIn,
    degraded: false,
  };
}

function parseRecord(raw: string | null): SessionRecord | null {
  const stored = parseVersioned(raw);
  if (stored === null) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(stored.value));
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
    newCart: data.cid === null,
    persisted: data.r === 1,
    checkedAt: 0,
    cookieDirty: staleKey || data.cid === null,
    recordDirty: false,
    degraded: false,
  };
}

const withinGrace = (endedAt: number | null | undefined) =>
  typeof endedAt === "number" && currentRuntime().now() - endedAt < env().SESSION_ROTATION_GRACE_SECONDS * 1000;

// What an ended session's cookie gets: a refusal while a sign-in or sign-out may still be in flight, then a new guest session.
function afterEnd(endedAt: number | null | undefined): Session {
  if (withinGrace(endedAt)) throw sessionRotated();
  return freshSession();
}

// A signed-in cookie that the store cannot vouch for (no record, stale record, store away): Postgres decides.
async function confirmSignedIn(session: Session, degraded: boolean): Promise<Session> {
  const state = await userSessionState(session.sid, session.userId!);
  if (!state.live) return afterEnd(state.endedAt);
  return { ...session, startedAt: state.startedAt, checkedAt: currentRuntime().now(), persisted: true, recordDirty: !degraded, degraded };
}

// Resolves the session from the cookie value; never throws for a bad cookie or a down store (only SESSION_ROTATED).
export async function resolveSession(cookieValue: string | undefined): Promise<Session> {
  return resolveUnsealed(await unsealSession(cookieValue));
}

// The same, from a cookie already unsealed, so callers can start other store
// work keyed by the session id alongside; `newSid` is the id a visitor
// without a valid cookie gets.
export async function resolveUnsealed(unsealed: Awaited<ReturnType<typeof unsealSession>>, newSid?: string): Promise<Session> {
  if (!unsealed) return freshSession({ sid: newSid });
  const { data, staleKey } = unsealed;
  const signedIn = data.uid !== null;
  const fromData = fromCookie(data, staleKey, data.sa);
  let record: SessionRecord | null;
  try {
    record = parseRecord(await (await store()).sessions.getAndTouch(recordKey(data.sid), sessionTtlSeconds(signedIn)));
  } catch (err) {
    log.debug("session store unavailable, serving from the cookie", { err });
    return signedIn ? confirmSignedIn(fromData, true) : { ...fromData, degraded: true };
  }
  if (record?.revoked) return afterEnd(record.endedAt);
  if (!record || record.userId !== data.uid) {
    if (signedIn) return confirmSignedIn(fromData, false);
    // A guest that never changed anything has no record to lose; one that had a record went idle
    // (and keeps its cart and idempotency scope).
    return data.r === 1 ? freshSession({ cartId: data.cid, idempotencyScope: fromData.idempotencyScope }) : fromData;
  }
  const session: Session = {
    ...fromData,
    startedAt: record.startedAt,
    email: record.email ?? null,
    notices: (record.notices ?? []) as CartNotice[],
    persisted: true,
    checkedAt: record.checkedAt ?? 0,
  };
  if (!signedIn) return session;
  if (record.startedAt <= currentRuntime().now() - env().USER_SESSION_ABSOLUTE_SECONDS * 1000) {
    await endSessionRecord(session);
    return freshSession();
  }
  if (currentRuntime().now() - session.checkedAt < env().SESSION_REVALIDATE_SECONDS * 1000) return session;
  try {
    return await confirmSignedIn(session, false);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Postgres away: a sign-out needs Postgres too, so the record cannot be hiding one.
    log.debug("could not revalidate the session, trusting the store's record", { err });
    return session;
  }
}

// Whether the store holds this session's tombstone (it was ended): one store read, no Postgres.
// False when the store cannot say (away): the caller keeps what it has.
export async function sessionEndedInStore(sid: string): Promise<boolean> {
  try {
    return parseRecord(await (await store()).sessions.get(recordKey(sid)))?.revoked === true;
  } catch {
    return false;
  }
}

// Whether a signed-in session still stands (Auth.js's token check): the store's fresh record first, else Postgres.
export async function userSessionLive(sid: string, userId: string): Promise<boolean> {
  try {
    const record = parseRecord(await (await store()).sessions.get(recordKey(sid)));
    if (record?.revoked) return false;
    if (record && record.userId === userId && currentRuntime().now() - (record.checkedAt ?? 0) < env().SESSION_REVALIDATE_SECONDS * 1000) return true;
  } catch {
    // store away: ask Postgres
  }
  return (await userSessionState(sid, userId)).live;
}

// Points the session at another cart (when its cart became unreachable, a new one is allocated).
export function withCart(session: Session, cartId: string): Session {
  if (session.cartId === cartId) return session;
  return { ...session, cartId, newCart: false, cookieDirty: true, recordDirty: true };
}

// After a change: from now on the session has a record (its idle clock starts).
export function touched(session: Session): Session {
  return session.persisted ? session : { ...session, recordDirty: true };
}

// The notices to show now; the session forgets them once saved.
export function takeNotices(session: Session): { notices: CartNotice[]; session: Session } {
  if (session.notices.length === 0) return { notices: [], session };
  return { notices: session.notices, session: { ...session, notices: [], recordDirty: true } };
}

export function toCookie(session: Session): SessionCookie {
  return {
    v: 1,
    sid: session.sid,
    cid: session.cartId,
    uid: session.userId,
    sa: session.startedAt,
    ik: session.idempotencyScope,
    ...(session.persisted ? { r: 1 as const } : {}),
  };
}

// Writes the store record if needed and returns the session to put in the
// cookie (the first record also changes the cookie). A down store only costs
// the sliding TTL and pending notices; a tombstone is never overwritten.
export async function saveSessionRecord(session: Session): Promise<Session> {
  if (!session.recordDirty || session.degraded) return session;
  const record: SessionRecord = {
    startedAt: session.startedAt,
    cartId: session.cartId,
    userId: session.userId,
    // Only what is there: a guest's record is most of a live session's memory.
    ...(session.email !== null ? { email: session.email } : {}),
    ...(session.userId !== null ? { checkedAt: session.checkedAt } : {}),
    ...(session.notices.length > 0 ? { notices: session.notices } : {}),
  };
  try {
    await (await store()).sessions.setIfNewer(recordKey(session.sid), LIVE, JSON.stringify(record), sessionTtlSeconds(session.userId !== null));
  } catch (err) {
    log.debug("could not write the session record", { err });
    return session;
  }
  if (session.persisted) return session;
  if (session.userId === null) recordGuestSessionRecorded();
  return { ...session, persisted: true, cookieDirty: true };
}

// Ends a session in the store: a tombstone, so its cookie gets SESSION_ROTATED and then a new session.
export async function endSessionRecord(session: Session): Promise<void> {
  const tombstone: SessionRecord = { startedAt: session.startedAt, cartId: session.cartId, userId: session.userId, revoked: true, endedAt: currentRuntime().now() };
  const ttl = Math.max(env().SESSION_ROTATION_GRACE_SECONDS, env().SESSION_REVALIDATE_SECONDS) + 60;
  try {
    await (await store()).sessions.setIfNewer(recordKey(session.sid), ENDED, JSON.stringify(tombstone), ttl);
  } catch (err) {
    log.warn("could not write the session tombstone; Postgres still revokes it", { err });
  }
  currentRuntime().sessionEnded({ sid: session.sid, userId: session.userId });
}

export function sessionExpiry(session: Session): { startedAt: string; expiresAt: string; idleTimeoutSeconds: number } {
  const idle = sessionTtlSeconds(session.userId !== null);
  let expiresAt = currentRuntime().now() + idle * 1000;
  if (session.userId !== null) expiresAt = Math.min(expiresAt, session.startedAt + env().USER_SESSION_ABSOLUTE_SECONDS * 1000);
  return {
    startedAt: new Date(session.startedAt).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
    idleTimeoutSeconds: idle,
  };
}
