import { AsyncLocalStorage } from "node:async_hooks";
import { hash, verify } from "@node-rs/argon2";
import { env } from "../config/env";
import { AppError } from "../errors";
import { recordRejection } from "../observe/metrics";

// Argon2id, memory-hard. Parameters follow OWASP's minimum (19 MiB, 2
// passes); a verify costs a few tens of milliseconds, which is the point.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// At most PASSWORD_HASH_CONCURRENCY hashes run at once in this process; up to
// PASSWORD_HASH_QUEUE more wait at most PASSWORD_HASH_WAIT_MS for a slot, and
// the rest are refused at once. Hashes run on libuv's small thread pool, so a
// burst of sign-ins must not take every thread from cart requests, and a
// queue that only grows would only make every answer late.
// Known accounts are served first: a waiting sign-in for an account that exists goes ahead of
// every waiting one that does not (lib/identity/guess-limit.ts signInLane).
export type HashPriority = "known" | "unknown";

class HashGate {
  private running = 0;
  private readonly waiting: Array<{ admit: () => void; refuse: () => void; priority: HashPriority }> = [];
  // How long a verification took lately (an average): what a refusal without one waits, so its
  // timing does not tell an unknown email from a wrong password.
  verifyMs = 40;
  // Set inside work that already holds a slot (withHashSlot): its hashes do not queue again.
  readonly holding = new AsyncLocalStorage<true>();

  async run<T>(work: () => Promise<T>, priority: HashPriority = "known"): Promise<T> {
    if (this.holding.getStore()) return work();
    const config = env();
    if (this.running < config.PASSWORD_HASH_CONCURRENCY) this.running += 1;
    else await this.wait(config.PASSWORD_HASH_QUEUE, config.PASSWORD_HASH_WAIT_MS, priority);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  // Resolves when a finishing hash hands over its slot.
  private wait(maxWaiting: number, maxWaitMs: number, priority: HashPriority): Promise<void> {
    if (this.waiting.length >= maxWaiting) {
      // A full queue: a known account takes the place of the last unknown one waiting.
      const bumped = priority === "known" ? this.waiting.findLastIndex((w) => w.priority === "unknown") : -1;
      if (bumped < 0) return Promise.reject(busy());
      this.waiting.splice(bumped, 1)[0]!.refuse();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        priority,
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
        refuse: () => {
          clearTimeout(timer);
          reject(busy());
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(busy());
      }, maxWaitMs);
      // Behind the known accounts already waiting, ahead of every unknown one.
      const at = priority === "known" ? this.waiting.findIndex((w) => w.priority === "unknown") : -1;
      if (at < 0) this.waiting.push(entry);
      else this.waiting.splice(at, 0, entry);
    });
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.running -= 1;
  }
}

function busy(): AppError {
  recordRejection("overload", "password_hash");
  return new AppError("OVERLOADED", "Too many sign-ins at once. Please try again in a moment.");
}

// One gate per process: route handlers and server actions are separate module graphs in Next.js.
const globalForHashes = globalThis as unknown as { [key: symbol]: HashGate | undefined };
const GATE = Symbol.for("next-cart.password-hash-gate");
const gate = () => (globalForHashes[GATE] ??= new HashGate());

// Runs a whole sign-in (Auth.js's credentials callback) in one hash slot, so
// a request the cap turns away costs nothing beyond its refusal: it never
// reaches Auth.js's parsing, CSRF check and user lookup. Throws AppError
// OVERLOADED as hashPassword does.
export function withHashSlot<T>(work: () => Promise<T>, priority: HashPriority = "known"): Promise<T> {
  const g = gate();
  return g.run(() => g.holding.run(true, work), priority);
}

// Set around a sign-in that takes no slot (an unknown account while failed sign-ins are many):
// its verification is a wait as long as a real one, and no hash.
const noHash = new AsyncLocalStorage<true>();

export function withoutHash<T>(work: () => Promise<T>): Promise<T> {
  return noHash.run(true, work);
}

// Throws AppError OVERLOADED when the hash cap and its queue are full.
export function hashPassword(password: string): Promise<string> {
  return gate().run(() => hash(password, options));
}

// False for a wrong password or a malformed stored hash; throws AppError OVERLOADED as hashPassword does.
export function verifyPassword(stored: string, password: string): Promise<boolean> {
  const g = gate();
  return g.run(async () => {
    const started = performance.now();
    try {
      return await verify(stored, password);
    } catch {
      return false;
    } finally {
      g.verifyMs = g.verifyMs * 0.9 + (performance.now() - started) * 0.1;
    }
  });
}

// An unknown account's refusal without a hash slot: after as long as a verification takes lately.
export async function refuseWithoutHash(): Promise<false> {
  await new Promise((resolve) => setTimeout(resolve, gate().verifyMs));
  return false;
}

export const hashSkipped = () => noHash.getStore() === true;

// A real hash of nothing: unknown emails cost the same time as wrong passwords.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  const pending = (dummy ??= hashPassword("not-a-real-password-0000"));
  // A refused first try (hash cap full) must not be remembered.
  pending.catch(() => {
    if (dummy === pending) dummy = undefined;
  });
  return pending;
}
