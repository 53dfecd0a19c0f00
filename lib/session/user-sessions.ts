import { and, eq, gt, isNull } from "drizzle-orm";
import { userSessions } from "@/db/schema";
import { env } from "@/lib/config/env";
import { db } from "@/lib/storage/database";

/**
 * The durable record of signed-in sessions. The store's copy is the fast
 * path; this is what makes sign-out final when the store forgets (flush,
 * eviction, outage): a signed-in cookie whose store record is missing is
 * only honoured while its row here is unrevoked and young enough.
 */
export async function recordUserSession(sid: string, userId: string): Promise<void> {
  await (await db()).insert(userSessions).values({ sid, userId }).onConflictDoNothing();
}

/** The session's start (ms) when it is still valid, else null. */
export async function validUserSession(sid: string, userId: string): Promise<number | null> {
  const oldest = new Date(Date.now() - env().USER_SESSION_DAYS * 86_400_000);
  const [row] = await (await db())
    .select({ createdAt: userSessions.createdAt })
    .from(userSessions)
    .where(and(eq(userSessions.sid, sid), eq(userSessions.userId, userId), isNull(userSessions.revokedAt), gt(userSessions.createdAt, oldest)))
    .limit(1);
  return row ? row.createdAt.getTime() : null;
}

export async function revokeUserSession(sid: string): Promise<void> {
  await (await db()).update(userSessions).set({ revokedAt: new Date() }).where(and(eq(userSessions.sid, sid), isNull(userSessions.revokedAt)));
}

