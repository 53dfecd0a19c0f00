import { createHash } from "node:crypto";
import { createClient, createCluster } from "redis";
import type { KeyValueStore } from "./kv";
import { BACKOFF_HIT_SCRIPT, backoffArgs, INCREMENT_WITH_EXPIRY_SCRIPT, SET_IF_NEWER_SCRIPT, type BackoffPolicy } from "./kv";
import { log } from "../log/logger";

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
// Redis Cluster: every key this module writes stands alone (each script touches
// one key, nothing reads two keys at once), so any key may live on any slot.
const makeCluster = (nodes: string[], timeoutMs: number) =>
  createCluster({
    rootNodes: nodes.map((node) => ({ url: `redis://${node}` })),
    defaults: {
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      socket: { connectTimeout: Math.max(timeoutMs * 4, 500), reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    },
  });

// The commands used here, which a single node and a cluster share.
type Client = Pick<ReturnType<typeof makeClient>, "get" | "getEx" | "set" | "del" | "evalSha" | "eval" | "isOpen" | "connect" | "close" | "on">;

export type RedisTarget = { url: string } | { clusterNodes: string[] };

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

const REDISCOVERY_INTERVAL_MS = 1_000;

// The part of node-redis's cluster slot map used to rediscover it (not in its public types).
interface ClusterSlots {
  masters: { address: string; client?: { isReady: boolean } }[];
  rediscover(startWith: undefined, excludedAddresses: ReadonlySet<string>): Promise<void>;
}

/** Redis over TCP (node-redis), one node or a cluster. Connects lazily and reconnects by itself. */
export class RedisStore implements KeyValueStore {
  readonly kind = "redis" as const;
  private readonly client: Client;
  private connecting: Promise<unknown> | undefined;
  private lastRediscovery = 0;
  private lastLogged = 0;

  constructor(
    private readonly target: RedisTarget,
    private readonly timeoutMs: number,
  ) {
    this.client = this.create();
  }

  private create(): Client {
    const client = "url" in this.target ? makeClient(this.target.url, this.timeoutMs) : (makeCluster(this.target.clusterNodes, this.timeoutMs) as unknown as Client);
    client.on("error", (err: unknown) => {
      // Errors are expected while Redis is away; log at most every 10 s.
      if (Date.now() - this.lastLogged > 10_000) {
        this.lastLogged = Date.now();
        log.warn("redis connection error", { err });
      }
    });
    return client;
  }

  // node-redis re-reads a cluster's slot map on MOVED/ASK, and on reconnect attempts
  // only for nodes that were once ready: after a failover it can stay pointed at the
  // dead master (commands then fail or hang). A command that fails or outlives the
  // timeout therefore asks it to rediscover the slots (at most every second) from
  // the nodes that still answer, skipping the ones that do not.
  private rediscoverCluster(): void {
    if (!("clusterNodes" in this.target) || Date.now() - this.lastRediscovery < REDISCOVERY_INTERVAL_MS) return;
    this.lastRediscovery = Date.now();
    const slots = (this.client as unknown as { _slots?: ClusterSlots; _self?: { _slots?: ClusterSlots } });
    const target = slots._slots ?? slots._self?._slots;
    if (!target) return;
    const unreachable = new Set(target.masters.filter((m) => m.client && !m.client.isReady).map((m) => m.address));
    target.rediscover(undefined, unreachable).catch((err: unknown) => log.debug("cluster rediscovery failed", { err }));
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
    const slow = "clusterNodes" in this.target ? setTimeout(() => this.rediscoverCluster(), this.timeoutMs) : undefined;
    try {
      return await command(await this.ready());
    } catch (err) {
      this.rediscoverCluster();
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
      // A cluster answers for one node at a time: ask the one that holds a key's slot.
      if ("clusterNodes" in this.target) await (client as unknown as ReturnType<typeof makeCluster>).sendCommand("health", true, ["PING"]);
      else await (client as ReturnType<typeof makeClient>).ping();
    });
  }

  async close() {
    if (this.client.isOpen) await this.client.close();
  }
}
