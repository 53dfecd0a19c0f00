import { Redis } from "@upstash/redis";
import type { KeyValueStore } from "./kv";
import { BACKOFF_HIT_SCRIPT, backoffArgs, INCREMENT_WITH_EXPIRY_SCRIPT, SET_IF_NEWER_SCRIPT, type BackoffPolicy } from "./kv";

// @upstash/redis over REST, for serverless deployments. Commands issued in
// the same tick travel in one HTTP request (auto-pipelining); each request
// is bounded by the store timeout through an abort signal.
export class UpstashStore implements KeyValueStore {
  readonly kind = "upstash" as const;
  private readonly redis: Redis;
  private readonly setIfNewerScript;
  private readonly incrementScript;
  private readonly backoffScript;

  constructor(url: string, token: string, timeoutMs: number) {
    this.redis = new Redis({
      url,
      token,
      retry: false,
      automaticDeserialization: false,
      enableAutoPipelining: true,
      signal: () => AbortSignal.timeout(timeoutMs),
    });
    this.setIfNewerScript = this.redis.createScript<number>(SET_IF_NEWER_SCRIPT);
    this.incrementScript = this.redis.createScript<number>(INCREMENT_WITH_EXPIRY_SCRIPT);
    this.backoffScript = this.redis.createScript<number>(BACKOFF_HIT_SCRIPT);
  }

  async get(key: string) {
    return this.redis.get<string>(key);
  }

  async getAndTouch(key: string, ttlSeconds: number) {
    return this.redis.getex<string>(key, { ex: ttlSeconds });
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(key, value, { ex: ttlSeconds });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.set(key, value, { ex: ttlSeconds, nx: true })) === "OK";
  }

  async setIfNewer(key: string, version: number, value: string, ttlSeconds: number) {
    return Number(await this.setIfNewerScript.exec([key], [String(version), value, String(ttlSeconds)])) === 1;
  }

  async delete(key: string) {
    await this.redis.del(key);
  }

  async incrementWithExpiry(key: string, by: number, ttlSeconds: number) {
    return Number(await this.incrementScript.exec([key], [String(by), String(ttlSeconds)]));
  }

  async hitWithBackoff(key: string, now: number, policy: BackoffPolicy) {
    return Number(await this.backoffScript.exec([key], backoffArgs(now, policy)));
  }

  async ping() {
    await this.redis.ping();
  }

  async close() {}
}
