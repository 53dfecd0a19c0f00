/**
 * The hot-state store behind sessions and the cart cache. Three real
 * backends implement it: in-process (embedded default only), Redis over TCP
 * and @upstash/redis over REST. Values are strings; keys arrive prefixed.
 */
export interface KeyValueStore {
  readonly kind: "memory" | "redis" | "upstash";
  get(key: string): Promise<string | null>;
  /** Reads a key and resets its time to live in one round trip (GETEX). */
  getAndTouch(key: string, ttlSeconds: number): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** SET NX: true when the key was absent and is now set. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Stores `value` only if no stored entry carries a higher version, so a
   * slow writer can never replace a newer cache entry with an older one.
   * Stored as "<version>:<value>"; read back with `parseVersioned`.
   */
  setIfNewer(key: string, version: number, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` to a counter, setting its TTL when it is created (fixed windows). */
  incrementWithExpiry(key: string, by: number, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function parseVersioned(stored: string | null): { version: number; value: string } | null {
  if (stored === null) return null;
  const colon = stored.indexOf(":");
  if (colon <= 0) return null;
  const version = Number(stored.slice(0, colon));
  if (!Number.isSafeInteger(version)) return null;
  return { version, value: stored.slice(colon + 1) };
}

/** One Lua script shared by both Redis backends: compare-and-set on a version prefix. */
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
