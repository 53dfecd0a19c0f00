import { env } from "../config/env";
import { log } from "../log/logger";
import { recordRejection } from "../observe/metrics";
import { store } from "../storage/store";
import { currentRuntime } from "../runtime/context";
import { minuteWindow, type RateLimitVerdict } from "./rate-limit";

// The limit on opening and confirming recovery links: one-minute windows,
// RECOVERY_RATE_LIMIT_PER_MINUTE each for the caller's session (from its
// cookie; a visitor without one gets no new id), its address (behind a
// trusted proxy) and the link itself, so a leaked link cannot be hammered
// from many cookie jars either. Fails open when the store is away, like the
// other limits; RATE_LIMIT_DISABLED=1 switches it off.
//
//   rl:rc:s:<sid>:<window>   rl:rc:a:<addr>:<window>   rl:rc:l:<link id>:<window>
export interface RecoverySubject {
  sid: string | null;
  address: string | null;
  linkId: string | null;
}

export async function checkRecoveryLimit(subject: RecoverySubject, now = currentRuntime().now()): Promise<RateLimitVerdict> {
  const config = env();
  const { window, retryAfterSeconds, ttlSeconds } = minuteWindow(now);
  if (config.RATE_LIMIT_DISABLED) return { limited: false, retryAfterSeconds };
  const keys = [
    subject.sid === null ? null : `rl:rc:s:${subject.sid}:${window}`,
    subject.address === null ? null : `rl:rc:a:${subject.address}:${window}`,
    subject.linkId === null ? null : `rl:rc:l:${subject.linkId}:${window}`,
  ].filter((k): k is string => k !== null);
  try {
    const kv = await store();
    const counts = await Promise.all(keys.map((key) => kv.markers.incrementWithExpiry(key, 1, ttlSeconds)));
    const limited = counts.some((n) => n > config.RECOVERY_RATE_LIMIT_PER_MINUTE);
    if (limited) recordRejection("rate_limit", "recovery");
    return { limited, retryAfterSeconds };
  } catch (err) {
    log.debug("rate limit store unavailable, allowing the request", { err });
    return { limited: false, retryAfterSeconds };
  }
}
