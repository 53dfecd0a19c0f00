"use server";
// The admin dashboard's server action: thin, the rules are in lib/actions/admin-actions.ts.
import { runCleanupAsAdmin } from "@/lib/actions/admin-actions";

export async function runCleanupNowAction() {
  return runCleanupAsAdmin();
}
