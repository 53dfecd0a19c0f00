import { createCluster } from "redis";
import { log } from "../log/logger";
import { NO_COMMAND_TIMEOUT, redisConnectionOptions } from "./redis-options";

// The slot map is re-read on our request at most this often; node-redis's own
// refresh while a lost node keeps failing to reconnect runs at this pace too.
const REDISCOVERY_INTERVAL_MS = 500;

// Every key this module writes stands alone (each script touches one key,
// nothing reads two keys at once), so any key may live on any slot.
export const makeCluster = (nodes: string[], timeoutMs: number) =>
  createCluster({
    rootNodes: nodes.map((node) => ({ url: `redis://${node}` })),
    defaults: redisConnectionOptions(timeoutMs),
    commandOptions: NO_COMMAND_TIMEOUT,
    // A master that died (connection refused or reset) makes its client reconnect:
    // re-read the slot map from the other nodes soon after, and again with each
    // retry, so its promoted replica is found without waiting for a MOVED.
    topologyRefreshOnReconnectionAttemptStrategy: REDISCOVERY_INTERVAL_MS,
  });

export type Cluster = ReturnType<typeof makeCluster>;

// node-redis's slot map, which alone can re-read the topology (not in its public
// types). `startWith` is asked first; `excluded` nodes are not asked after it.
interface SlotMap {
  rediscover(startWith: { options: { socket: { host: string; port: number } } }, excludedAddresses: ReadonlySet<string>): Promise<void>;
}

// Gets a cluster client off a lost master. node-redis re-reads its slot map on
// MOVED/ASK and while a node reconnects; a node that keeps its connections but
// stops answering (paused, partitioned) triggers neither, and commands for its
// slots would time out until its replica's promotion is noticed. A failed or
// timed-out command therefore asks for a rediscovery (throttled, one at a time).
//
// node-redis asks known nodes in turn and waits for each without a timeout, and
// runs one rediscovery at a time: one sent to a silent node would hold up every
// later one, MOVED handling included. So the masters are pinged first (each
// within the store timeout) and the map is read from one that answered, with
// the silent ones left out.
export class ClusterRecovery {
  private lastRediscovery = 0;
  private running = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly timeoutMs: number,
  ) {}

  commandFailed(): void {
    if (this.running || Date.now() - this.lastRediscovery < REDISCOVERY_INTERVAL_MS) return;
    this.running = true;
    this.rediscover()
      .catch((err: unknown) => log.debug("cluster rediscovery failed", { err }))
      .finally(() => {
        this.running = false;
        this.lastRediscovery = Date.now();
      });
  }

  private async rediscover(): Promise<void> {
    const internals = this.cluster as unknown as { _slots?: SlotMap; _self?: { _slots?: SlotMap } };
    const slots = internals._slots ?? internals._self?._slots;
    if (!slots) return;
    const masters = this.cluster.masters;
    const answered = await Promise.all(masters.map((m) => this.answers(m.client)));
    const answering = masters.filter((_, i) => answered[i]);
    if (answering.length === 0) return; // nothing to ask: the store is down as a whole
    const { host, port } = answering[Math.floor(Math.random() * answering.length)]!;
    const silent = new Set(masters.filter((_, i) => !answered[i]).map((m) => m.address));
    await slots.rediscover({ options: { socket: { host, port } } }, silent);
  }

  private async answers(client: { isReady: boolean; ping(): Promise<unknown> } | undefined): Promise<boolean> {
    if (!client?.isReady) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    const pong = client.ping().then(
      () => true,
      () => false,
    );
    return Promise.race([pong, late]).finally(() => clearTimeout(timer));
  }
}
