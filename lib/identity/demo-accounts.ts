import { users } from "../../db/schema";
import { demoAccountsEnabled, env } from "../config/env";
import { log } from "../log/logger";
import { currentRuntime } from "../runtime/context";
import type { Database } from "../storage/database";
import { hashPassword } from "./password";

// Published demo accounts (a storefront's README prints their passwords). Seeded only where
// demoAccountsEnabled says, never in production; in production their passwords are refused
// even if an earlier development run left the accounts in the database.
export interface DemoAccount {
  email: string;
  password: string;
}

// Seeds the instance's demo accounts once its database is open (where demoAccountsEnabled says).
export async function seedDemoAccounts(database: Database): Promise<void> {
  const accounts = currentRuntime().demoAccounts;
  if (accounts.length === 0 || !demoAccountsEnabled(env())) return;
  const existing = await database.select({ id: users.id }).from(users).limit(1);
  if (existing.length > 0) return;
  for (const account of accounts) {
    await database
      .insert(users)
      .values({ email: account.email, passwordHash: await hashPassword(account.password) })
      .onConflictDoNothing();
  }
  log.info("seeded demo accounts", { emails: accounts.map((a) => a.email) });
}

export function isRefusedDemoPassword(email: string, password: string): boolean {
  if (demoAccountsEnabled(env())) return false;
  return currentRuntime().demoAccounts.some((demo) => demo.email === email && demo.password === password);
}
