import { createHash } from "node:crypto";
import { createClient } from "redis";
import { ClusterRecovery, makeCluster, type Cluster } from "./cluster-client";
import type { KeyValueStore } from "./kv";
import { BACKOFF_HIT_SCRIPT, backoffArgs, INCREMENT_WITH_EXPIRY_SCRIPT, SET_IF_NEWER_SCRIPT, type BackoffPolicy } from "./kv";
import { log } from "../log/logger";
import { NO_COMMAND_TIMEOUT, redisConnectionOptions } from "./redis-options";

const makeClient = (url: string, timeoutMs: number) =>
  createClient({ url, ...redisConnectionOptions(timeoutMs), commandOptions: NO_COMMAND_TIMEOUT });

// The commands used here, which a single node and a cluster share.
type Client = Pick<ReturnType<typeof makeClient>, "get" | "getEx" | "set" | "del" | "evalSha" | "eval" | "isOpen" | "connect" | "close" | "on">;

export type RedisTarget = { url: string } | { clusterNodes: string[] };

// A handful of scripts, each hashed once.
const hashes = new Map<string, string>();
const sha1 = (s: string) => {
  let hash = hashes.get(s);
  if (!hash) hashes.set(s, (hash = createHash("sha1").update(s).digest("hex")));
  return hash;
};

// Redis over TCP (node-redis), one node or a cluster. Connects lazily and reconnects by itself.
export class RedisStore implements KeyValueStore {
  readonly kind = "redis" as const;
  private readonly client: Client;
  // Redis Cluster only: what gets the client off a lost master (see cluster-client.ts).
  private readonly recovery: ClusterRecovery | undefined;
  private connecting: Promise<unknown> | undefined;
  private lastLogged = 0;

  constructor(
    private readonly target: RedisTarget,
    private readonly timeoutMs: number,
  ) {
    if ("url" in target) {
      this.client = this.listen(makeClient(target.url, timeoutMs));
    } else {
      const cluster = makeCluster(target.clusterNodes, timeoutMs);
      this.recovery = new ClusterRecovery(cluster, timeoutMs);
      this.client = this.listen(cluster as unknown as Client);
    }
  }

  private listen(client: Client): Client {
    client.on("error", (err: unknown) => {
      // Errors are expected while Redis is away; log at most every 10 s.
      if (Date.now() - this.lastLogged > 10_000) {
        this.lastLogged = Date.now();
        log.warn("redis connection error", { err });
      }
    });
    return client;
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

  private async run<T>(command: (client: Client) => Promise<T>): Promise<T> {
    const recovery = this.recovery;
    const slow = recovery && setTimeout(() => recovery.commandFailed(), this.timeoutMs);
    try {
      return await command(await this.ready());
    } catch (err) {
      recovery?.commandFailed();
      throw err;
    } finally {
      clearTimeout(slow);
    }
  }

  private script(source: string, keys: string[], args: string[]): Promise<unknown> {
    return this.run(async (client) => {
      try {
        return await client.evalSha(sha1(source), { keys, arguments: args });
      } catch (err) {
        if (err instanceof Error && err.message.startsWith("NOSCRIPT")) return client.eval(source, { keys, arguments: args });
        throw err;
      }
    });
  }

  async get(key: string) {
    return (await this.run((c) => c.get(key))) as string | null;
  }

  async getAndTouch(key: string, ttlSeconds: number) {
    return (await this.run((c) => c.getEx(key, { type: "EX", value: ttlSeconds }))) as string | null;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.run((c) => c.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    const reply = await this.run((c) => c.set(key, value, { expiration: { type: "EX", value: ttlSeconds }, condition: "NX" }));
    return reply === "OK";
  }

  async setIfNewer(key: string, version: number, value: string, ttlSeconds: number) {
    return (await this.script(SET_IF_NEWER_SCRIPT, [key], [String(version), value, String(ttlSeconds)])) === 1;
  }

  async delete(key: string) {
    await this.run((c) => c.del(key));
  }

  async incrementWithExpiry(key: string, by: number, ttlSeconds: number) {
    return Number(await this.script(INCREMENT_WITH_EXPIRY_SCRIPT, [key], [String(by), String(ttlSeconds)]));
  }

  async hitWithBackoff(key: string, now: number, policy: BackoffPolicy) {
    return Number(await this.script(BACKOFF_HIT_SCRIPT, [key], backoffArgs(now, policy)));
  }

  async ping() {
    await this.run(async (client) => {
      // A cluster answers for one node at a time: ask the one that holds a key's slot,
      // with a keyed read, which it refuses (CLUSTERDOWN) while any slot has no master (PING it would answer).
      if ("clusterNodes" in this.target) await (client as unknown as Cluster).exists("health");
      else await (client as ReturnType<typeof makeClient>).ping();
    });
  }

  async close() {
    if (this.client.isOpen) await this.client.close();
  }
}
