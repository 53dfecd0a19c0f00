import type { IdempotencyContext } from "../cart/idempotency";
import { acquireLease, findOutcome, fingerprintOf, isDuplicateOutcome, recordOutcome, releaseLease, replayable } from "../cart/idempotency";
import type { ErrorCode } from "../errors";
import { AppError } from "../errors";
import { recordIdempotent } from "../observe/metrics";
import type { Session } from "../session/session";
import { appErrorReply, toAppError } from "./errors";

// Exactly-once for both transports: the pipeline's route handlers and
// server actions (lib/http/pipeline.ts) run keyed requests
// through here, so they keep and replay the same outcomes:
//
// - a live stored outcome is replayed as stored (status and body, the cart it
//   produced included), whatever the cart became since;
// - the same key for another request: 422 IDEMPOTENCY_KEY_REUSED;
// - a key still running elsewhere: 409 IDEMPOTENCY_IN_PROGRESS;
// - a client error (4xx) is kept with its own status and body, so a retry
//   gets the same refusal;
// - a 5xx (database away, our own failure) is never kept: the retry runs;
//   nor is a 4xx that means "try again later" (429, 409 in progress), which
//   kept would outlast its own Retry-After.
//
// A change stores its outcome in its own transaction (lib/cart/service.ts);
// the record here is for outcomes that changed nothing.
export interface Outcome {
  status: number;
  body: unknown;
}

const RETRY_LATER: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["RATE_LIMITED", "IDEMPOTENCY_IN_PROGRESS", "SESSION_ROTATED"]);

// Whether a refusal is the request's own outcome (kept), not a passing condition.
function keptRefusal(err: AppError): boolean {
  return err.status < 500 && !RETRY_LATER.has(err.code);
}

export type OnceResult<T> = { replayed: false; value: T } | { replayed: true; outcome: Outcome };

// The key's context: scoped to the cookie's idempotency scope, so it outlives any session record.
export function keyedRequest(session: Session, key: string, request: { method: string; path: string; body: string }): IdempotencyContext {
  return { scope: session.idempotencyScope, key, fingerprint: fingerprintOf(request.method, request.path, request.body) };
}

// The stored answer to replay (counted), or null; throws IDEMPOTENCY_KEY_REUSED (counted).
async function storedAnswer(idem: IdempotencyContext): Promise<Outcome | null> {
  const stored = await findOutcome(idem);
  if (!stored) return null;
  try {
    const outcome = replayable(stored, idem);
    recordIdempotent("replayed");
    return outcome;
  } catch (err) {
    recordIdempotent("reused");
    throw err;
  }
}

// Runs `run` at most once for the key. `outcomeOf` says what a success
// stores (and what a replay of it answers). Errors are rethrown, mapped to
// the contract's AppError where a client may be told about them.
export async function runOnce<T>(idem: IdempotencyContext, run: () => Promise<T>, outcomeOf: (value: T) => Outcome): Promise<OnceResult<T>> {
  const stored = await storedAnswer(idem);
  if (stored) return { replayed: true, outcome: stored };
  if (!(await acquireLease(idem))) {
    recordIdempotent("in_progress");
    throw new AppError("IDEMPOTENCY_IN_PROGRESS", "A request with this Idempotency-Key is still being processed.");
  }
  try {
    const value = await run();
    const { status, body } = outcomeOf(value);
    await recordOutcome(idem, status, body); // no-op when the change recorded it in its transaction
    return { replayed: false, value };
  } catch (err) {
    if (isDuplicateOutcome(err)) {
      // A concurrent copy committed first; ours rolled back.
      const first = await storedAnswer(idem);
      if (first) return { replayed: true, outcome: first };
    }
    const known = toAppError(err);
    if (known && keptRefusal(known)) {
      const { status, body } = appErrorReply(known);
      await recordOutcome(idem, status, body);
    }
    throw known ?? err;
  } finally {
    await releaseLease(idem);
  }
}
