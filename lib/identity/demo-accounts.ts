import { users } from "../../db/schema";
import { demoAccountsEnabled, env } from "../config/env";
import { log } from "../log/logger";
import { onDatabaseReady } from "../storage/database";
import { hashPassword } from "./password";

// Published demo accounts (a storefront's README prints their passwords). Seeded only where
// demoAccountsEnabled says, never in production; in production their passwords are refused
// even if an earlier development run left the accounts in the database.
export interface DemoAccount {
  email: string;
  password: string;
}

const registry = globalThis as unknown as { __nextCartDemoAccounts?: readonly DemoAccount[] };

export function registerDemoAccounts(accounts: readonly DemoAccount[]): void {
  const first = registry.__nextCartDemoAccounts === undefined;
  registry.__nextCartDemoAccounts = accounts;
  if (!first || accounts.length === 0) return;
  onDatabaseReady(async (database) => {
    if (!demoAccountsEnabled(env())) return;
    const existing = await database.select({ id: users.id }).from(users).limit(1);
    if (existing.length > 0) return;
    for (const account of registry.__nextCartDemoAccounts ?? []) {
      await database
        .insert(users)
        .values({ email: account.email, passwordHash: await hashPassword(account.password) })
        .onConflictDoNothing();
    }
    log.info("seeded demo accounts", { emails: (registry.__nextCartDemoAccounts ?? []).map((a) => a.email) });
  });
}

export function isRefusedDemoPassword(email: string, password: string): boolean {
  if (demoAccountsEnabled(env())) return false;
  return (registry.__nextCartDemoAccounts ?? []).some((demo) => demo.email === email && demo.password === password);
}
