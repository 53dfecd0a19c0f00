import type { BackoffPolicy, KeyValueStore } from "./kv";
import { backoffMemoryMs, parseVersioned } from "./kv";

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process store for the zero-config embedded default only: one process,
 * no persistence. Bounded so a long-running dev server cannot grow forever.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = "memory" as const;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, value: string, ttlSeconds: number) {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Map iteration is insertion order: evict the oldest write.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async getAndTouch(key: string, ttlSeconds: number) {
    const entry = this.live(key);
    if (!entry) return null;
    entry.expiresAt = Date.now() + ttlSeconds * 1000;
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    this.put(key, value, ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if (this.live(key)) return false;
    this.put(key, value, ttlSeconds);
    return true;
  }

  async setIfNewer(key: string, version: number, value: string, ttlSeconds: number) {
    const current = parseVersioned(this.live(key)?.value ?? null);
    if (current && current.version > version) return false;
    this.put(key, `${version}:${value}`, ttlSeconds);
    return true;
  }

  async delete(key: string) {
    this.entries.delete(key);
  }

  async incrementWithExpiry(key: string, by: number, ttlSeconds: number) {
    const entry = this.live(key);
    if (!entry) {
      this.put(key, String(by), ttlSeconds);
      return by;
    }
    const next = Number(entry.value) + by;
    entry.value = String(next);
    return next;
  }

  /** The same rule as BACKOFF_HIT_SCRIPT (kv.ts), on a JSON value; atomic because it never awaits. */
  async hitWithBackoff(key: string, now: number, policy: BackoffPolicy) {
    const stored = this.live(key);
    const state = stored ? (JSON.parse(stored.value) as { n: number; start: number; until: number; level: number }) : { n: 0, start: now, until: 0, level: 0 };
    if (state.until > now) return state.until - now;
    if (now - state.start >= policy.windowMs) Object.assign(state, { n: 0, start: now });
    state.n += 1;
    let locked = 0;
    if (state.n > policy.limit) {
      locked = Math.min(policy.lockMs * 2 ** state.level, policy.maxLockMs);
      Object.assign(state, { until: now + locked, level: state.level + 1, n: 0, start: now });
    }
    const ttlMs = Math.max(state.start + policy.windowMs, state.until) - now + backoffMemoryMs(policy);
    this.put(key, JSON.stringify(state), ttlMs / 1000);
    return locked;
  }

  async ping() {}

  async close() {
    this.entries.clear();
  }
}
