import { isIP } from "node:net";
import { NextResponse } from "next/server";
import { env } from "../config/env";
import { currentRuntime } from "../runtime/context";
import { AppError } from "../errors";
import { log } from "../log/logger";
import { recordRejection } from "../observe/metrics";
import { store } from "../storage/store";
import { appErrorReply } from "./errors";

// Rate limits per session and per client address: fixed one-minute windows,
// one atomic counter per window in the session store (INCRBY + EXPIRE in one
// Lua script on Redis and Upstash; in-process for the embedded default).
//
//   rl:s:<sid>:w:<window>   changes by one session      RATE_LIMIT_WRITES_PER_MINUTE (120)
//   rl:s:<sid>:r:<window>   reads by one session        RATE_LIMIT_READS_PER_MINUTE  (600)
//   rl:a:<addr>:<window>    every request of an address RATE_LIMIT_IP_PER_MINUTE     (1200)
//
// The address is known only behind proxies the operator trusts
// (TRUST_PROXY=N, see clientAddress). Without TRUST_PROXY any client could
// write those headers, and Next.js gives route handlers no socket address,
// so no address limit applies. When the store is down or slow the limit fails
// open: shoppers are never blocked because Redis is away.
// RATE_LIMIT_DISABLED=1 switches everything off.
export const RATE_LIMIT_WINDOW_SECONDS = 60;

// The one-minute window `now` falls in (its number, part of every counter's key), how long until
// it ends (Retry-After, at least 1 s), and how long its counter lives (a second past its end;
// the next window has its own key). Every per-minute limit counts in these windows.
export function minuteWindow(now: number): { window: number; retryAfterSeconds: number; ttlSeconds: number } {
  const windowMs = RATE_LIMIT_WINDOW_SECONDS * 1000;
  const window = Math.floor(now / windowMs);
  return { window, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)), ttlSeconds: RATE_LIMIT_WINDOW_SECONDS + 1 };
}

export type RequestKind = "read" | "write";

export interface RateLimitVerdict {
  limited: boolean;
  // Seconds until the current window ends (at least 1).
  retryAfterSeconds: number;
  scope?: "session" | "address";
}

const RATE_LIMITED_MESSAGE = "Too many requests. Please wait a moment and try again.";

// Expands an IPv6 address into its eight 16-bit groups, or null when it is not one.
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const octets = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, -v4[1]!.length)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head = "", tail, ...rest] = text.split("::");
  if (rest.length > 0) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length;
  const groups = [...front, ...Array<number>(Math.max(zeros, 0)).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

// A canonical form of one address for use in a key: IPv4 as is, IPv4-mapped
// IPv6 as IPv4, other IPv6 as its /64 network (one host usually holds a
// whole /64). Brackets, a port and a zone id are dropped; anything that is
// not an IP address gives null.
export function normalizeAddress(raw: string): string | null {
  let candidate = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(candidate);
  if (bracketed) candidate = bracketed[1]!;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(candidate);
  if (v4WithPort) candidate = v4WithPort[1]!;
  candidate = candidate.replace(/%[^%]*$/, "");
  const version = isIP(candidate);
  if (version === 4) return candidate;
  if (version !== 6) return null;
  const groups = ipv6Groups(candidate.toLowerCase());
  if (!groups) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

// Every address that does not parse counts as this one shared client: never as "no limit".
export const UNKNOWN_ADDRESS = "unknown";

// The client's address as the trusted proxies report it, or null when it is
// not known (TRUST_PROXY unset or 0).
//
// Each of the `trustProxy` proxies appends the address it saw on the right
// of X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`, AWS ALB), so the
// client is the trustProxy-th entry from the right; everything left of it is
// the client's own writing. With fewer entries than hops, the leftmost one
// (written by our outermost proxy) is the best there is. X-Real-IP is read
// only when there is no X-Forwarded-For at all, which never happens under
// `next start`: it fills in the socket address when the header is absent.
export function clientAddress(requestHeaders: Headers, trustProxy = env().TRUST_PROXY): string | null {
  if (trustProxy <= 0) return null;
  const forwarded = requestHeaders.get("x-forwarded-for");
  const entries = forwarded === null ? [] : forwarded.split(",").map((e) => e.trim());
  const candidate = entries.length > 0 ? entries[Math.max(0, entries.length - trustProxy)]! : requestHeaders.get("x-real-ip")?.trim();
  if (candidate === undefined) return UNKNOWN_ADDRESS;
  return normalizeAddress(candidate) ?? UNKNOWN_ADDRESS;
}

const ALLOWED = (retryAfterSeconds: number): RateLimitVerdict => ({ limited: false, retryAfterSeconds });

// Counts one request against its session's and its address's windows.
export async function checkRateLimit(
  subject: { sid: string | null; address: string | null },
  kind: RequestKind,
  now = currentRuntime().now(),
): Promise<RateLimitVerdict> {
  const config = env();
  const { window, retryAfterSeconds, ttlSeconds: ttl } = minuteWindow(now);
  if (config.RATE_LIMIT_DISABLED) return ALLOWED(retryAfterSeconds);
  const sessionLimit = kind === "write" ? config.RATE_LIMIT_WRITES_PER_MINUTE : config.RATE_LIMIT_READS_PER_MINUTE;
  try {
    const kv = await store();
    const [sessionCount, addressCount] = await Promise.all([
      subject.sid === null ? Promise.resolve(0) : kv.markers.incrementWithExpiry(`rl:s:${subject.sid}:${kind === "write" ? "w" : "r"}:${window}`, 1, ttl),
      subject.address === null ? Promise.resolve(0) : kv.markers.incrementWithExpiry(`rl:a:${subject.address}:${window}`, 1, ttl),
    ]);
    const scope = sessionCount > sessionLimit ? "session" : addressCount > config.RATE_LIMIT_IP_PER_MINUTE ? "address" : null;
    if (scope === null) return ALLOWED(retryAfterSeconds);
    recordRejection("rate_limit", scope);
    return { limited: true, retryAfterSeconds, scope };
  } catch (err) {
    log.debug("rate limit store unavailable, allowing the request", { err });
    return ALLOWED(retryAfterSeconds);
  }
}

export const rateLimited = (verdict: RateLimitVerdict) => new AppError("RATE_LIMITED", RATE_LIMITED_MESSAGE, { retryAfterSeconds: verdict.retryAfterSeconds });

export function rateLimitedResponse(verdict: RateLimitVerdict): NextResponse {
  const { status, body, headers } = appErrorReply(rateLimited(verdict));
  return NextResponse.json(body, { status, headers });
}
