import { createHash } from "node:crypto";
import { env, type Env } from "../config/env";
import { log } from "../log/logger";
import { recordRejection } from "../observe/metrics";
import type { BackoffPolicy } from "../storage/kv";
import { MemoryStore } from "../storage/memory-store";
import { currentRuntime } from "../runtime/context";
import { sharedValue } from "../runtime/shared";
import { store } from "../storage/store";

// Limits on guessing passwords and on creating accounts, checked before any
// hash is computed. Every attempt counts (a success then clears its
// account's count), so concurrent guesses cannot all slip past a check that
// only failures would fill.
//
//   al:sa:<sha256(email)>  sign-in attempts for one account   SIGNIN_LIMIT_PER_ACCOUNT
//   al:si:<address>        sign-in attempts from one address  SIGNIN_LIMIT_PER_ADDRESS
//   al:ra:<address>        sign-ups from one address          REGISTER_LIMIT_PER_ADDRESS
//   al:rg:<minute>         sign-ups from everyone             REGISTER_LIMIT_GLOBAL_PER_MINUTE
//   al:sf:<minute>         failed sign-ins from everyone      SIGNIN_FAILURES_GLOBAL_PER_MINUTE
//
// The first three allow N attempts per AUTH_LIMIT_WINDOW_SECONDS, then lock
// for AUTH_LOCK_SECONDS, doubling with each lock up to AUTH_LOCK_MAX_SECONDS
// (one hash per key, one key per script: cluster-safe). A locked account
// refuses its correct password too, until the lock ends.
//
// With the shared store away these limits do not fail open: they count in
// this process instead (each instance then allows its own N), and the hash
// cap (lib/identity/password.ts) bounds the CPU either way.
export type GuessScope = "account" | "address" | "global";

export interface GuessVerdict {
  limited: boolean;
  retryAfterSeconds: number;
  scope?: GuessScope;
}

const ALLOWED: GuessVerdict = { limited: false, retryAfterSeconds: 0 };

const policy = (config: Env, limit: number): BackoffPolicy => ({
  limit,
  windowMs: config.AUTH_LIMIT_WINDOW_SECONDS * 1000,
  lockMs: config.AUTH_LOCK_SECONDS * 1000,
  maxLockMs: config.AUTH_LOCK_MAX_SECONDS * 1000,
});

// Keys name an account by a digest: no email address sits in the store.
const accountKey = (email: string) => `al:sa:${createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 22)}`;

// Each instance's own (its scope: a market's accounts are not another's), shared by the module
// graphs of one instance in this process as its store would be.
const fallback = () => sharedValue(`auth-limit-fallback:${currentRuntime().scope}`, () => new MemoryStore(10_000));

async function hit(name: string, backoff: BackoffPolicy, now: number): Promise<number> {
  try {
    return await (await store()).markers.hitWithBackoff(name, now, backoff);
  } catch (err) {
    log.debug("auth limit store unavailable, counting in this process", { err });
    return fallback().hitWithBackoff(name, now, backoff);
  }
}

function limited(lockedMs: number, scope: GuessScope): GuessVerdict {
  recordRejection("rate_limit", `auth_${scope}`);
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(lockedMs / 1000)), scope };
}

// Counts one sign-in attempt for this email and address; refuses while either is locked.
export async function checkSignIn(email: string | null, address: string | null, now = currentRuntime().now()): Promise<GuessVerdict> {
  const config = env();
  if (config.RATE_LIMIT_DISABLED) return ALLOWED;
  // The address first: a locked address does not also spend the accounts' attempts.
  if (address !== null) {
    const locked = await hit(`al:si:${address}`, policy(config, config.SIGNIN_LIMIT_PER_ADDRESS), now);
    if (locked > 0) return limited(locked, "address");
  }
  if (email) {
    const locked = await hit(accountKey(email), policy(config, config.SIGNIN_LIMIT_PER_ACCOUNT), now);
    if (locked > 0) return limited(locked, "account");
  }
  return ALLOWED;
}

// A correct password clears its account's count (not its address's: one's own account must not reset that).
export async function signInSucceeded(email: string): Promise<void> {
  if (env().RATE_LIMIT_DISABLED) return;
  const key = accountKey(email);
  await Promise.all([(async () => (await store()).markers.delete(key))(), fallback().delete(key)]).catch((err: unknown) => {
    log.debug("could not clear the sign-in count", { err });
  });
}

// Counts one sign-up from this address and against the global budget; an address past its own
// budget is refused before the global one is counted, so it cannot spend everyone's. In the
// instance's minutes (its clock), like the failed-sign-in budget.
export async function checkRegister(address: string | null, now = currentRuntime().now()): Promise<GuessVerdict> {
  const config = env();
  if (config.RATE_LIMIT_DISABLED) return ALLOWED;
  if (address !== null) {
    const locked = await hit(`al:ra:${address}`, policy(config, config.REGISTER_LIMIT_PER_ADDRESS), now);
    if (locked > 0) return limited(locked, "address");
  }
  const minute = Math.floor(now / 60_000);
  const name = `al:rg:${minute}`;
  const count = await (async () => (await store()).markers.incrementWithExpiry(name, 1, 61))().catch(() => fallback().incrementWithExpiry(name, 1, 61));
  if (count > config.REGISTER_LIMIT_GLOBAL_PER_MINUTE) return limited((minute + 1) * 60_000 - now, "global");
  return ALLOWED;
}

// The global failed-sign-in budget. Each unknown email costs a full argon2 verification (so its
// timing matches a wrong password), and a process has few hash slots: a stream of made-up emails
// would take every slot from real shoppers. So failures are counted per minute for everyone, and
// once they pass half of SIGNIN_FAILURES_GLOBAL_PER_MINUTE ("near" the budget) a sign-in for an
// email with no account takes no slot: it is refused after a wait as long as a verification
// takes lately (lib/identity/password.ts refuseWithoutHash), so its timing still tells nothing.
// A sign-in for an account that exists always takes a slot, ahead of unknown ones waiting; its
// guesses are bounded by the account's own lock. Only failures that cost a hash are counted:
// refusals without one cannot push the budget on by themselves.
export type SignInLane = "known" | "unknown" | "no-hash";

const failuresKey = (now: number) => `al:sf:${Math.floor(now / 60_000)}`;

async function failuresThisMinute(now: number, add: number): Promise<number> {
  const name = failuresKey(now);
  return (async () => (await store()).markers.incrementWithExpiry(name, add, 61))().catch(() => fallback().incrementWithExpiry(name, add, 61));
}

// Which lane a sign-in for this email takes (`exists` looks the account up).
export async function signInLane(email: string | null, exists: (email: string) => Promise<boolean>, now = currentRuntime().now()): Promise<SignInLane> {
  // A lookup that fails (Postgres away) decides nothing: the sign-in goes on as before and meets the same failure there.
  const known = email !== null && (await exists(email.trim().toLowerCase()).catch(() => false));
  if (known) return "known";
  const config = env();
  if (config.RATE_LIMIT_DISABLED) return "unknown";
  const failures = await failuresThisMinute(now, 0);
  if (failures * 2 < config.SIGNIN_FAILURES_GLOBAL_PER_MINUTE) return "unknown";
  recordRejection("rate_limit", "auth_global");
  return "no-hash";
}

// A sign-in that cost a hash and failed.
export async function signInFailed(lane: SignInLane, now = currentRuntime().now()): Promise<void> {
  if (lane === "no-hash" || env().RATE_LIMIT_DISABLED) return;
  await failuresThisMinute(now, 1);
}
