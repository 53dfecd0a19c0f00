import { and, eq, isNull } from "drizzle-orm";
import { userSessions } from "../../db/schema";
import { env } from "../config/env";
import { log } from "../log/logger";
import { db } from "../storage/database";
import { currentRuntime } from "../runtime/context";

// The durable record of signed-in sessions, and the authority on revocation:
// the store's copy is only a cache of it (trusted for SESSION_REVALIDATE_SECONDS),
// so sign-out stays final whatever the store forgets, keeps or says.

export async function recordUserSession(sid: string, userId: string): Promise<void> {
  await (await db()).insert(userSessions).values({ sid, userId }).onConflictDoNothing();
}

export type UserSessionState =
  | { live: true; startedAt: number }
  // `endedAt`: when it was revoked (ms), or null when unknown, expired or never recorded.
  | { live: false; endedAt: number | null };

// Whether a signed-in session stands: recorded for this user, not revoked, within its absolute lifetime.
export async function userSessionState(sid: string, userId: string): Promise<UserSessionState> {
  const [row] = await (await db())
    .select({ createdAt: userSessions.createdAt, revokedAt: userSessions.revokedAt })
    .from(userSessions)
    .where(and(eq(userSessions.sid, sid), eq(userSessions.userId, userId)))
    .limit(1);
  if (!row) return { live: false, endedAt: null };
  if (row.revokedAt) return { live: false, endedAt: row.revokedAt.getTime() };
  const startedAt = row.createdAt.getTime();
  if (startedAt <= currentRuntime().now() - env().USER_SESSION_ABSOLUTE_SECONDS * 1000) return { live: false, endedAt: null };
  return { live: true, startedAt };
}

async function revokeOnce(sid: string): Promise<void> {
  await (await db()).update(userSessions).set({ revokedAt: new Date(currentRuntime().now()) }).where(and(eq(userSessions.sid, sid), isNull(userSessions.revokedAt)));
}

// Revocations that failed even after retries: tried again in the background until
// Postgres takes them (the store's tombstone covers the meantime).
const pending = new Set<string>();
let retryTimer: ReturnType<typeof setInterval> | undefined;
const RETRY_DELAYS_MS = [0, 100, 400];

function retryLater(sid: string): void {
  pending.add(sid);
  retryTimer ??= setInterval(async () => {
    for (const id of [...pending]) {
      try {
        await revokeOnce(id);
        pending.delete(id);
      } catch {
        // still away; next tick
      }
    }
    if (pending.size === 0 && retryTimer) {
      clearInterval(retryTimer);
      retryTimer = undefined;
    }
  }, 2_000);
  retryTimer.unref?.();
}

// Revokes a signed-in session; retried, and never given up while the process lives. True once Postgres has it.
export async function revokeUserSession(sid: string): Promise<boolean> {
  for (const delay of RETRY_DELAYS_MS) {
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    try {
      await revokeOnce(sid);
      return true;
    } catch (err) {
      log.warn("session revocation failed, retrying", { err });
    }
  }
  retryLater(sid);
  return false;
}
