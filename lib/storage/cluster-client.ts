import { createCluster } from "redis";
import { log } from "../log/logger";

// The slot map is re-read on our request at most this often; node-redis's own
// refresh while a lost node keeps failing to reconnect runs at this pace too.
const REDISCOVERY_INTERVAL_MS = 500;
// A node whose command outlived the timeout is left out of rediscoveries for this
// long: it may accept connections and never answer (paused, partitioned), and
// asking it for the slot map would stall every later rediscovery behind it.
const SUSPECT_MS = 10_000;

// Every key this module writes stands alone (each script touches one key,
// nothing reads two keys at once), so any key may live on any slot.
export const makeCluster = (nodes: string[], timeoutMs: number) =>
  createCluster({
    rootNodes: nodes.map((node) => ({ url: `redis://${node}` })),
    defaults: {
      // No offline queue: a command for a node that is away fails at once instead of piling up.
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      socket: { connectTimeout: Math.max(timeoutMs * 4, 500), reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    },
    // A master that died (connection refused or reset) makes its client reconnect:
    // re-read the slot map from the other nodes soon after, and again with each
    // retry, so its promoted replica is found without waiting for a MOVED.
    topologyRefreshOnReconnectionAttemptStrategy: REDISCOVERY_INTERVAL_MS,
  });

export type Cluster = ReturnType<typeof makeCluster>;

// node-redis's slot map, which alone can re-read the topology (not in its public types).
interface SlotMap {
  rediscover(startWith: undefined, excludedAddresses: ReadonlySet<string>): Promise<void>;
}

/**
 * Gets a cluster client off a lost master. node-redis re-reads its slot map on
 * MOVED/ASK and while a node reconnects; a node that keeps its connections but
 * stops answering (paused, partitioned) triggers neither, and commands for its
 * slots would time out until its replica's promotion is noticed. A failed or
 * timed-out command therefore asks for a rediscovery (throttled) from the nodes
 * that still answer.
 */
export class ClusterRecovery {
  private lastRediscovery = 0;
  private readonly suspectUntil = new Map<string, number>();

  constructor(private readonly cluster: Cluster) {}

  /** A command for `key` failed (`timedOut`: it outlived the store timeout). */
  commandFailed(key: string, timedOut: boolean): void {
    const suspecting = timedOut ? this.suspectNodeOf(key) : Promise.resolve();
    suspecting.then(() => this.rediscover()).catch((err: unknown) => log.debug("cluster rediscovery failed", { err }));
  }

  private async suspectNodeOf(key: string): Promise<void> {
    const client = await this.cluster.getNodeClientForKey(key);
    const address = this.cluster.masters.find((m) => m.client === client)?.address;
    if (address) this.suspectUntil.set(address, Date.now() + SUSPECT_MS);
  }

  private async rediscover(): Promise<void> {
    if (Date.now() - this.lastRediscovery < REDISCOVERY_INTERVAL_MS) return;
    this.lastRediscovery = Date.now();
    const internals = this.cluster as unknown as { _slots?: SlotMap; _self?: { _slots?: SlotMap } };
    const slots = internals._slots ?? internals._self?._slots;
    if (!slots) return;
    const now = Date.now();
    for (const [address, until] of this.suspectUntil) if (until <= now) this.suspectUntil.delete(address);
    const unreachable = new Set([...this.suspectUntil.keys(), ...this.cluster.masters.filter((m) => m.client && !m.client.isReady).map((m) => m.address)]);
    await slots.rediscover(undefined, unreachable);
  }
}
