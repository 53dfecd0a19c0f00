// When and how long the client waits before sending a request again. Only
// answers that say "try again" are retried: 429 and 503 after Retry-After,
// 409 IDEMPOTENCY_IN_PROGRESS (the first request is still running; the same
// key then replays its outcome), 409 SESSION_ROTATED (at once: the cookie
// from a finished sign-in or sign-out is already in place), and a network
// failure (a mutation keeps its Idempotency-Key, so it never applies twice).

export type RetryReason = "rate_limited" | "unavailable" | "in_progress" | "session_rotated" | "network";

export interface RetryInfo {
  method: string;
  path: string;
  // The attempt that failed, from 1.
  attempt: number;
  // How long the client waits before the next attempt.
  waitMs: number;
  reason: RetryReason;
  status: number | null;
  code: string | null;
}

export interface RetryPolicy {
  // Attempts in all, the first included (default 3).
  attempts: number;
  // The longest wait the client accepts; a server asking for more gets its error thrown at once (default 10 s).
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, maxWaitMs: 10_000 };

export function retryReason(status: number, code: string | null): RetryReason | null {
  if (status === 429) return "rate_limited";
  if (status === 503) return "unavailable";
  if (status === 409 && code === "IDEMPOTENCY_IN_PROGRESS") return "in_progress";
  if (status === 409 && code === "SESSION_ROTATED") return "session_rotated";
  return null;
}

// Retry-After in seconds or as an HTTP date; null when absent or unreadable.
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function waitFor(reason: RetryReason, retryAfterSeconds: number | null, attempt: number): number {
  if (retryAfterSeconds !== null) return retryAfterSeconds * 1000;
  if (reason === "session_rotated") return 0;
  if (reason === "in_progress") return 250 * attempt;
  return 500 * attempt;
}

// Resolves after `ms`, or rejects with the signal's reason as soon as it aborts.
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
