import { createHash } from "node:crypto";
import { createClient } from "redis";
import type { KeyValueStore } from "./kv";
import { BACKOFF_HIT_SCRIPT, backoffArgs, INCREMENT_WITH_EXPIRY_SCRIPT, SET_IF_NEWER_SCRIPT, type BackoffPolicy } from "./kv";
import { log } from "@/lib/log/logger";

const makeClient = (url: string, timeoutMs: number) =>
  createClient({
    url,
    // No offline queue: while disconnected a command fails at once instead of piling up.
    disableOfflineQueue: true,
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: Math.max(timeoutMs * 4, 500),
      // Keep trying forever in the background, at most once a second.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
type Client = ReturnType<typeof makeClient>;

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

/** Redis over TCP (node-redis). Connects lazily and reconnects by itself. */
export class RedisStore implements KeyValueStore {
  readonly kind = "redis" as const;
  private readonly client: Client;
  private connecting: Promise<unknown> | undefined;

  constructor(url: string, timeoutMs: number) {
    this.client = makeClient(url, timeoutMs);
    let lastLogged = 0;
    this.client.on("error", (err: unknown) => {
      // Errors are expected while Redis is away; log at most every 10 s.
      if (Date.now() - lastLogged > 10_000) {
        lastLogged = Date.now();
        log.warn("redis connection error", { err });
      }
    });
  }

  private async ready(): Promise<Client> {
    if (!this.client.isOpen) {
      this.connecting ??= this.client.connect().catch((err: unknown) => {
        this.connecting = undefined;
        throw err;
      });
      await this.connecting;
    }
    return this.client;
  }

  private async script(source: string, keys: string[], args: string[]): Promise<unknown> {
    const client = await this.ready();
    try {
      return await client.evalSha(sha1(source), { keys, arguments: args });
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
        return client.eval(source, { keys, arguments: args });
      }
      throw err;
    }
  }

  async get(key: string) {
    return (await (await this.ready()).get(key)) as string | null;
  }

  async getAndTouch(key: string, ttlSeconds: number) {
    return (await (await this.ready()).getEx(key, { type: "EX", value: ttlSeconds })) as string | null;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await (await this.ready()).set(key, value, { expiration: { type: "EX", value: ttlSeconds } });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    const reply = await (await this.ready()).set(key, value, { expiration: { type: "EX", value: ttlSeconds }, condition: "NX" });
    return reply === "OK";
  }

  async setIfNewer(key: string, version: number, value: string, ttlSeconds: number) {
    return (await this.script(SET_IF_NEWER_SCRIPT, [key], [String(version), value, String(ttlSeconds)])) === 1;
  }

  async delete(key: string) {
    await (await this.ready()).del(key);
  }

  async incrementWithExpiry(key: string, by: number, ttlSeconds: number) {
    return Number(await this.script(INCREMENT_WITH_EXPIRY_SCRIPT, [key], [String(by), String(ttlSeconds)]));
  }

  async hitWithBackoff(key: string, now: number, policy: BackoffPolicy) {
    return Number(await this.script(BACKOFF_HIT_SCRIPT, [key], backoffArgs(now, policy)));
  }

  async ping() {
    await (await this.ready()).ping();
  }

  async close() {
    if (this.client.isOpen) await this.client.close();
  }
}
