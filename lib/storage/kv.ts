// The hot-state store behind sessions and the cart cache. Three real
// backends implement it: in-process (embedded default only), Redis over TCP
// and @upstash/redis over REST. Values are strings; keys arrive prefixed.
//
// Every call names its area: what kind of entry it touches. Redis and Upstash keep one
// keyspace and ignore it; the in-process store keeps each area in its own bounded pool, so a
// flood of one kind (new sessions, say) never evicts another (rate-limit counters, leases).
export type StoreArea = "cache" | "sessions" | "markers";

export interface KeyValueStore {
  readonly kind: "memory" | "redis" | "upstash";
  get(key: string, area?: StoreArea): Promise<string | null>;
  // Reads a key and resets its time to live in one round trip (GETEX).
  getAndTouch(key: string, ttlSeconds: number, area?: StoreArea): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number, area?: StoreArea): Promise<void>;
  // SET NX: true when the key was absent and is now set.
  setIfAbsent(key: string, value: string, ttlSeconds: number, area?: StoreArea): Promise<boolean>;
  // Stores `value` only if no stored entry carries a higher version, so a
  // slow writer can never replace a newer cache entry with an older one.
  // Stored as "<version>:<value>"; read back with `parseVersioned`.
  setIfNewer(key: string, version: number, value: string, ttlSeconds: number, area?: StoreArea): Promise<boolean>;
  delete(key: string, area?: StoreArea): Promise<void>;
  // Adds `by` to a counter, setting its TTL when it is created (fixed windows).
  incrementWithExpiry(key: string, by: number, ttlSeconds: number, area?: StoreArea): Promise<number>;
  // Counts one attempt against a back-off limit (see BACKOFF_HIT_SCRIPT) and
  // answers how many milliseconds the key stays locked: 0 lets it through.
  hitWithBackoff(key: string, now: number, policy: BackoffPolicy, area?: StoreArea): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Attempts allowed per window, then a lock of lockMs · 2^(locks so far), at most maxLockMs.
export interface BackoffPolicy {
  limit: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
}

// How long a key remembers its locks after the last one ends, so the next lock is longer.
export const backoffMemoryMs = (policy: BackoffPolicy) => policy.maxLockMs * 4;

export function backoffArgs(now: number, policy: BackoffPolicy): string[] {
  return [now, policy.limit, policy.windowMs, policy.lockMs, policy.maxLockMs, backoffMemoryMs(policy)].map((n) => String(Math.round(n)));
}

export function parseVersioned(stored: string | null): { version: number; value: string } | null {
  if (stored === null) return null;
  const colon = stored.indexOf(":");
  if (colon <= 0) return null;
  const version = Number(stored.slice(0, colon));
  if (!Number.isSafeInteger(version)) return null;
  return { version, value: stored.slice(colon + 1) };
}

// One Lua script shared by both Redis backends: compare-and-set on a version prefix.
export const SET_IF_NEWER_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '^(%d+):'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3])
return 1
`;

export const INCREMENT_WITH_EXPIRY_SCRIPT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return n
`;

// One hash per key: n attempts since `start`, locked `until`, `level` locks
// so far. A locked key refuses without counting; past `limit` attempts in a
// window the key locks for lockMs · 2^level (capped) and the count starts
// again. One key per call, so it is cluster-safe; the caller passes the
// time, so Redis and the in-process store agree (MemoryStore mirrors it).
export const BACKOFF_HIT_SCRIPT = `
local now = tonumber(ARGV[1])
local limit, windowMs, lockMs, maxLockMs, memoryMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local h = redis.call('HMGET', KEYS[1], 'n', 'start', 'until', 'level')
local n, start, untilMs, level = tonumber(h[1]) or 0, tonumber(h[2]) or now, tonumber(h[3]) or 0, tonumber(h[4]) or 0
if untilMs > now then return untilMs - now end
if now - start >= windowMs then n = 0; start = now end
n = n + 1
local locked = 0
if n > limit then
  locked = math.min(lockMs * math.pow(2, level), maxLockMs)
  untilMs = now + locked; level = level + 1; n = 0; start = now
end
redis.call('HSET', KEYS[1], 'n', n, 'start', start, 'until', untilMs, 'level', level)
redis.call('PEXPIRE', KEYS[1], math.max(start + windowMs, untilMs) - now + memoryMs)
return locked
`;
