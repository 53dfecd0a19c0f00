import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { AppError } from "../errors";
import { db } from "../storage/database";
import { isCommonPassword } from "./common-passwords";
import { isRefusedDemoPassword } from "./demo-accounts";
import { dummyHash, hashPassword, hashSkipped, refuseWithoutHash, verifyPassword } from "./password";
import type { RegisterInput } from "./schemas";

export interface PublicUser {
  id: string;
  email: string;
}

export async function registerUser(input: RegisterInput): Promise<PublicUser> {
  // Before the hash: a refusal costs nothing.
  if (await isCommonPassword(input.password)) {
    throw new AppError("VALIDATION_ERROR", "Choose a less common password.", [{ path: ["password"], message: "is one of the most common passwords" }]);
  }
  const passwordHash = await hashPassword(input.password);
  const [row] = await (await db())
    .insert(users)
    .values({ email: input.email, passwordHash })
    // The unique index on lower(email): one account per address, whatever its case.
    .onConflictDoNothing()
    .returning({ id: users.id, email: users.email });
  if (!row) throw new AppError("EMAIL_TAKEN", "An account with this email already exists.");
  return { id: row.id, email: row.email! };
}

// The user for these credentials, or null; the same work whether or not the email exists.
export async function verifyCredentials(email: string, password: string): Promise<PublicUser | null> {
  const [row] = await (await db()).select().from(users).where(eq(users.email, email)).limit(1);
  // Sign-ins hold their hash slot already (withHashSlot in lib/http/auth-guard.ts and the sign-in
  // action), or were sent on without one: an unknown account while failed sign-ins are many.
  const ok = !row && hashSkipped() ? await refuseWithoutHash() : await verifyPassword(row?.passwordHash ?? (await dummyHash()), password);
  if (ok && isRefusedDemoPassword(email, password)) return null;
  return row && row.passwordHash && ok ? { id: row.id, email: row.email! } : null;
}

// What the admin check needs: the stored email and whether a provider verified it.
export async function findUserIdentity(userId: string): Promise<{ email: string | null; emailVerified: Date | null } | null> {
  const [row] = await (await db()).select({ email: users.email, emailVerified: users.emailVerified }).from(users).where(eq(users.id, userId)).limit(1);
  return row ?? null;
}

// Whether an account has this (normalized) email: which lane its sign-in takes (guess-limit.ts).
export async function accountExists(email: string): Promise<boolean> {
  const rows = await (await db()).select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  return rows.length > 0;
}

export async function findUserEmail(userId: string): Promise<string | null> {
  const [row] = await (await db()).select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.email ?? null;
}
