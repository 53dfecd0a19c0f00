import { env } from "../config/env";
import { log } from "../log/logger";
import { recordRejection } from "../observe/metrics";
import { currentRuntime } from "../runtime/context";
import { store } from "../storage/store";
import { minuteWindow, rateLimited } from "./rate-limit";

// The budget on anonymous work that leaves rows behind: a new guest cart (a change by a session
// that has no cart yet, such as a cookie-less POST /api/cart/items, makes a cart row kept for
// GUEST_CART_RECOVERY_DAYS) and a new recovery link (a snapshot row of up to CART_MAX_LINES
// lines). Neither is bounded by a session's own limit: a client without cookies is a new session
// every time. So each is counted twice per one-minute window:
//
//   rl:c:<kind>:<addr>:<window>  per client address (TRUST_PROXY)  CREATE_LIMIT_PER_ADDRESS_PER_MINUTE
//   in this instance, per window  everyone                          CREATE_LIMIT_PER_INSTANCE_PER_MINUTE
//
// The instance's count lives in the instance (CartRuntime.counters): no store round trip, no
// way around it by rotating addresses, and it holds without TRUST_PROXY and without Redis. The
// address's count fails open with the store, like the other request limits.
export type CreationKind = "cart" | "link";

// Throws RATE_LIMITED (429 with Retry-After) when either budget is spent.
export async function spendCreationBudget(kind: CreationKind, address: string | null): Promise<void> {
  const config = env();
  const runtime = currentRuntime();
  const { window, retryAfterSeconds, ttlSeconds } = minuteWindow(runtime.now());
  if (config.RATE_LIMIT_DISABLED) return;
  const counter = runtime.counters;
  const key = `${kind}:${window}`;
  // Spent already: refused before anything else is counted.
  if ((counter.get(key) ?? 0) >= config.CREATE_LIMIT_PER_INSTANCE_PER_MINUTE) {
    recordRejection("rate_limit", `create_${kind}_instance`);
    throw rateLimited({ limited: true, retryAfterSeconds });
  }
  // The address's own budget next: a request it refuses spends none of everyone's.
  if (address !== null) {
    let count = 0;
    try {
      count = await (await store()).markers.incrementWithExpiry(`rl:c:${kind}:${address}:${window}`, 1, ttlSeconds);
    } catch (err) {
      log.debug("rate limit store unavailable, allowing the request", { err });
    }
    if (count > config.CREATE_LIMIT_PER_ADDRESS_PER_MINUTE) {
      recordRejection("rate_limit", `create_${kind}_address`);
      throw rateLimited({ limited: true, retryAfterSeconds });
    }
  }
  // Only this window's and the last one's: a counter per minute, never a growing map.
  if (!counter.has(key)) for (const old of counter.keys()) if (old.startsWith(`${kind}:`) && old !== `${kind}:${window - 1}`) counter.delete(old);
  const mine = (counter.get(key) ?? 0) + 1;
  counter.set(key, mine);
  if (mine > config.CREATE_LIMIT_PER_INSTANCE_PER_MINUTE) {
    recordRejection("rate_limit", `create_${kind}_instance`);
    throw rateLimited({ limited: true, retryAfterSeconds });
  }
}
