import { EventEmitter } from "node:events";
import type { Env } from "../config/env";
import { log } from "../log/logger";
import { NO_COMMAND_TIMEOUT, redisConnectionOptions } from "./redis-options";
import { forgetSharedResource, sharedResource } from "../runtime/shared";

// Messages between the instances of one deployment (live carts, lib/events/live.ts), through the
// store's own engine: Redis pub/sub (node-redis) on one node, sharded pub/sub (SPUBLISH /
// SSUBSCRIBE: a channel lives on the shard that owns its slot) on Redis Cluster, an in-process
// emitter on the embedded default (one process: nothing to cross). Upstash's REST API cannot
// subscribe: null, and the caller says so (501 LIVE_UNAVAILABLE).
//
// One per process and engine, shared by every instance that names it (each on its own
// channels). Delivery is at most once: a message published while a subscriber is away is lost,
// which the subscriber learns from `onResubscribed` and makes up for.
export interface PubSub {
  readonly kind: "memory" | "redis" | "cluster";
  // Fire and forget: rejects when the engine is away.
  publish(channel: string, message: string): Promise<void>;
  // One subscription per channel per process, however many listeners; the returned function
  // removes this listener (and the subscription with the last one).
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  // After the subscriber's connection came back (messages may have been missed meanwhile).
  onResubscribed(listener: () => void): () => void;
  close(): Promise<void>;
}

class MemoryPubSub implements PubSub {
  readonly kind = "memory" as const;
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string) {
    this.emitter.emit(channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void) {
    this.emitter.on(channel, listener);
    return async () => {
      this.emitter.off(channel, listener);
    };
  }

  onResubscribed() {
    return () => {};
  }

  async close() {
    this.emitter.removeAllListeners();
  }
}

type Target = { url: string } | { clusterNodes: string[] };

// The node-redis calls used here, which a client and a cluster both have (sharded on a cluster).
interface Connection {
  isOpen: boolean;
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

class RedisPubSub implements PubSub {
  readonly kind: "redis" | "cluster";
  private publisher: Promise<Connection> | undefined;
  private subscriber: Promise<Connection> | undefined;
  private readonly channels = new Map<string, { listeners: Set<(message: string) => void>; ready: Promise<void> }>();
  private readonly resubscribed = new Set<() => void>();
  private lastLogged = 0;
  private connectedOnce = false;
  private resubscribedTimer: NodeJS.Timeout | undefined;
  // Every client made, connected or still trying: close() destroys them all.
  private readonly clients = new Set<Connection>();

  constructor(
    private readonly target: Target,
    private readonly timeoutMs: number,
  ) {
    this.kind = "url" in target ? "redis" : "cluster";
  }

  private async open(role: "publisher" | "subscriber"): Promise<Connection> {
    const { createClient, createCluster } = await import("redis");
    const options = redisConnectionOptions(this.timeoutMs);
    // The publisher's commands are fire-and-forget, one per committed change.
    const commandOptions = role === "publisher" ? NO_COMMAND_TIMEOUT : undefined;
    const connection = (
      "url" in this.target
        ? createClient({ url: this.target.url, ...options, commandOptions })
        : createCluster({ rootNodes: this.target.clusterNodes.map((node) => ({ url: `redis://${node}` })), defaults: options, commandOptions })
    ) as unknown as Connection;
    connection.on("error", (err: unknown) => {
      if (Date.now() - this.lastLogged > 10_000) {
        this.lastLogged = Date.now();
        log.warn(`redis ${role} connection error`, { err });
      }
    });
    if (role === "subscriber") {
      // node-redis subscribes again by itself after a reconnect (a cluster: each shard's client);
      // what was published meanwhile is gone. Any node's connection coming back may be one.
      connection.on("url" in this.target ? "ready" : "node-ready", () => {
        if (this.connectedOnce) this.reconnected();
      });
    }
    this.clients.add(connection);
    // node-redis retries a connection forever; a publish or a stream must not wait that long (nor
    // a close): past the deadline this attempt is given up and the next call tries again.
    let deadline: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connection.connect(),
        new Promise((_, reject) => {
          deadline = setTimeout(() => reject(new Error(`redis ${role} connection timed out`)), options.socket.connectTimeout * 2);
        }),
      ]);
    } catch (err) {
      this.clients.delete(connection);
      destroyQuietly(connection);
      throw err;
    } finally {
      clearTimeout(deadline);
    }
    if (role === "subscriber") this.connectedOnce = true;
    return connection;
  }

  // Several nodes may come back at once: the listeners hear it once.
  private reconnected(): void {
    clearTimeout(this.resubscribedTimer);
    this.resubscribedTimer = setTimeout(() => {
      for (const listener of this.resubscribed) listener();
    }, 50);
    this.resubscribedTimer.unref?.();
  }

  private connection(role: "publisher" | "subscriber"): Promise<Connection> {
    const existing = role === "publisher" ? this.publisher : this.subscriber;
    if (existing) return existing;
    const opening = this.open(role);
    if (role === "publisher") this.publisher = opening;
    else this.subscriber = opening;
    opening.catch(() => {
      if (role === "publisher" && this.publisher === opening) this.publisher = undefined;
      if (role === "subscriber" && this.subscriber === opening) this.subscriber = undefined;
    });
    return opening;
  }

  async publish(channel: string, message: string) {
    const connection = (await this.connection("publisher")) as unknown as {
      publish(channel: string, message: string): Promise<number>;
      sPublish(channel: string, message: string): Promise<number>;
    };
    if (this.kind === "cluster") await connection.sPublish(channel, message);
    else await connection.publish(channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void) {
    let entry = this.channels.get(channel);
    if (!entry) {
      const listeners = new Set<(message: string) => void>();
      const dispatch = (message: string) => {
        for (const l of listeners) l(message);
      };
      const ready = (async () => {
        const connection = (await this.connection("subscriber")) as unknown as {
          subscribe(channel: string, listener: (message: string) => void): Promise<void>;
          sSubscribe(channel: string, listener: (message: string) => void): Promise<void>;
        };
        if (this.kind === "cluster") await connection.sSubscribe(channel, dispatch);
        else await connection.subscribe(channel, dispatch);
      })();
      entry = { listeners, ready };
      this.channels.set(channel, entry);
      const created = entry;
      ready.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
    }
    entry.listeners.add(listener);
    try {
      await entry.ready;
    } catch (err) {
      entry.listeners.delete(listener);
      throw err;
    }
    return async () => {
      const current = this.channels.get(channel);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size > 0) return;
      this.channels.delete(channel);
      try {
        const connection = (await this.connection("subscriber")) as unknown as {
          unsubscribe(channel: string): Promise<void>;
          sUnsubscribe(channel: string): Promise<void>;
        };
        if (this.kind === "cluster") await connection.sUnsubscribe(channel);
        else await connection.unsubscribe(channel);
      } catch (err) {
        log.debug("could not unsubscribe", { err, channel });
      }
    };
  }

  onResubscribed(listener: () => void) {
    this.resubscribed.add(listener);
    return () => this.resubscribed.delete(listener);
  }

  async close() {
    this.publisher = this.subscriber = undefined;
    this.channels.clear();
    clearTimeout(this.resubscribedTimer);
    // Destroyed, not closed, connected or not: nothing pending here is worth waiting for (a
    // paused or unreachable Redis would hold a close forever).
    for (const connection of this.clients) destroyQuietly(connection);
    this.clients.clear();
  }
}

function destroyQuietly(connection: Connection): void {
  try {
    connection.destroy();
  } catch {
    // already closed
  }
}

const pubSubId = (config: Env): string | null => {
  if (config.REDIS_URL) return `pubsub:${config.REDIS_URL}`;
  if (config.REDIS_CLUSTER_NODES.length > 0) return `pubsub:cluster:${config.REDIS_CLUSTER_NODES.join(",")}`;
  if (config.UPSTASH_REDIS_REST_URL) return null;
  return "pubsub:memory";
};

// The pub/sub of the engine these settings name, or null when it has none (Upstash over REST).
export function openPubSub(config: Env): Promise<PubSub> | null {
  const id = pubSubId(config);
  if (id === null) return null;
  return sharedResource(id, async () => {
    if (config.REDIS_URL) return new RedisPubSub({ url: config.REDIS_URL }, config.STORE_TIMEOUT_MS);
    if (config.REDIS_CLUSTER_NODES.length > 0) return new RedisPubSub({ clusterNodes: config.REDIS_CLUSTER_NODES }, config.STORE_TIMEOUT_MS);
    return new MemoryPubSub();
  });
}

// Closes it (tests, graceful shutdown); the next caller opens a new one.
export async function closePubSub(config: Env): Promise<void> {
  const id = pubSubId(config);
  const pending = id ? (forgetSharedResource(id) as Promise<PubSub> | undefined) : undefined;
  if (pending) await (await pending.catch(() => null))?.close();
}
