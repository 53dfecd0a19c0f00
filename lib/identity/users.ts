import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { AppError } from "../errors";
import { db } from "../storage/database";
import { isRefusedDemoPassword } from "./demo-accounts";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import type { RegisterInput } from "./schemas";

export interface PublicUser {
  id: string;
  email: string;
}

export async function registerUser(input: RegisterInput): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await (await db())
    .insert(users)
    .values({ email: input.email, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id, email: users.email });
  if (!row) throw new AppError("EMAIL_TAKEN", "An account with this email already exists.");
  return { id: row.id, email: row.email! };
}

// The user for these credentials, or null; the same work whether or not the email exists.
export async function verifyCredentials(email: string, password: string): Promise<PublicUser | null> {
  const [row] = await (await db()).select().from(users).where(eq(users.email, email)).limit(1);
  // Sign-ins hold their hash slot already (withHashSlot in lib/http/auth-guard.ts and the sign-in action).
  const ok = await verifyPassword(row?.passwordHash ?? (await dummyHash()), password);
  if (ok && isRefusedDemoPassword(email, password)) return null;
  return row && row.passwordHash && ok ? { id: row.id, email: row.email! } : null;
}

export async function findUserEmail(userId: string): Promise<string | null> {
  const [row] = await (await db()).select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.email ?? null;
}
