import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { endWithThisProcess } from "./children";

const run = promisify(execFile);

/**
 * A Redis Cluster of the test's own: three masters with one replica each,
 * six `redis-server --cluster-enabled yes` on free ports (each with its bus
 * port, port + 10000, free too), joined by `redis-cli --cluster create`.
 */
export interface RedisCluster {
  /** host:port of every node, for REDIS_CLUSTER_NODES. */
  nodes: string[];
  /** Resolves once every slot is served again (cluster_state:ok on a live node). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The port of the master that serves a key's slot, as the live nodes see it. */
  masterOf(key: string): Promise<number>;
  /**
   * Keeps a master's replica from taking over (cluster-replica-no-failover)
   * until the returned function is called, so a test can hold the time its
   * slots have no master open for as long as it needs.
   */
  holdFailover(masterPort: number): Promise<() => Promise<void>>;
  /** Kills a node by its pid (SIGKILL): a crash, its data gone with it. */
  kill(port: number): Promise<void>;
  /** SIGSTOP: the node keeps its connections and answers nothing (a frozen host, a partition). */
  pause(port: number): Promise<void>;
  /** SIGCONT. */
  resume(port: number): void;
  /** Resolves once the node serves as a replica again and the cluster is ok. */
  waitForReplica(port: number, timeoutMs?: number): Promise<void>;
  /**
   * Resolves once every live node flags the node failed and says
   * cluster_state:fail (its slots have no master: the cluster refuses keyed commands).
   */
  waitUntilFailed(port: number, timeoutMs?: number): Promise<void>;
  /**
   * Resolves once every live node sees the killed (or paused) master's replica promoted
   * and says cluster_state:ok (polling CLUSTER NODES and CLUSTER INFO); answers
   * the promoted replica's port.
   */
  waitForFailover(killedPort: number, timeoutMs?: number): Promise<number>;
  /** One command on one node, without following redirections; the reply as redis-cli prints it. */
  command(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** One line of CLUSTER NODES: `<id> <ip:port@bus> <flags> <master-id|-> … <slot ranges>`. */
export interface ClusterNode {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  slots: [number, number][];
}

export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(" ");
      const port = Number(address!.split("@")[0]!.split(":").at(-1));
      return {
        id: id!,
        port,
        flags: flags!.split(","),
        masterId: master === "-" ? null : master!,
        // Importing or migrating slots ("[…]") are not served by the node yet.
        slots: slots.filter((s) => !s.startsWith("[")).map((s) => {
          const [from, to] = s.split("-").map(Number);
          return [from!, to ?? from!] as [number, number];
        }),
      };
    });
}

const serves = (node: ClusterNode, slot: number) => node.slots.some(([from, to]) => slot >= from && slot <= to);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (ports.includes(port) || ports.includes(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

const cli = (port: number, ...args: string[]) => run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 10_000 });

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), "redis-cluster-"));
  const ports = await clusterPorts(6);
  const children = new Map<number, ChildProcess>();
  for (const port of ports) {
    const child = endWithThisProcess(spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", path.join(dir, `nodes-${port}.conf`),
        // Quick failovers, and a replica takes over however long its master has been gone
        // (a test may hold the failover back: see holdFailover).
        "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"],
      { stdio: "ignore" },
    ));
    children.set(port, child);
  }
  for (const port of ports) {
    for (let i = 0; ; i += 1) {
      try {
        if ((await cli(port, "ping")).stdout.trim() === "PONG") break;
      } catch {
        // not up yet
      }
      if (i > 100) throw new Error(`cluster node ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"], { timeout: 30_000 });

  const paused = new Set<number>();
  const live = () => ports.filter((p) => !paused.has(p) && children.get(p)?.exitCode === null && children.get(p)?.signalCode === null);
  const waitHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const info = (await cli(live()[0]!, "cluster", "info")).stdout;
        if (info.includes("cluster_state:ok")) return;
      } catch {
        // a node may be busy electing
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the cluster did not become healthy");
  };
  await waitHealthy();

  const nodesSeenBy = async (port: number) => parseClusterNodes((await cli(port, "cluster", "nodes")).stdout);
  // The replica each killed or paused master had, noted beforehand (the node can no longer be asked).
  const replicaOfKilled = new Map<number, number>();
  const replicaOf = async (port: number) => {
    const nodes = await nodesSeenBy(port);
    const self = nodes.find((n) => n.flags.includes("myself"))!;
    return nodes.find((n) => n.masterId === self.id)?.port;
  };
  const noteReplica = async (port: number) => {
    const replica = await replicaOf(port);
    if (replica !== undefined) replicaOfKilled.set(port, replica);
  };

  const holdFailover = async (masterPort: number) => {
    const replica = await replicaOf(masterPort);
    if (replica === undefined) throw new Error(`master ${masterPort} has no replica`);
    await cli(replica, "config", "set", "cluster-replica-no-failover", "yes");
    return async () => {
      await cli(replica, "config", "set", "cluster-replica-no-failover", "no");
    };
  };
  const running = (port: number) => {
    const child = children.get(port);
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${port} is not running`);
    return child as ChildProcess & { pid: number };
  };

  const masterOf = async (key: string) => {
    const slot = Number((await cli(live()[0]!, "cluster", "keyslot", key)).stdout.trim());
    const owner = (await nodesSeenBy(live()[0]!)).find((n) => n.flags.includes("master") && !n.flags.includes("fail") && serves(n, slot));
    if (!owner) throw new Error(`no live master serves slot ${slot}`);
    return owner.port;
  };

  const kill = async (port: number) => {
    const child = running(port);
    await noteReplica(port);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid, "SIGKILL");
    await exited;
  };

  const pause = async (port: number) => {
    const child = running(port);
    await noteReplica(port);
    paused.add(port);
    process.kill(child.pid, "SIGSTOP");
  };

  const resume = (port: number) => {
    process.kill(running(port).pid, "SIGCONT");
    paused.delete(port);
  };

  const waitForReplica = async (port: number, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const self = (await nodesSeenBy(port)).find((n) => n.flags.includes("myself"));
        const info = (await cli(port, "cluster", "info")).stdout;
        if (self?.flags.includes("slave") && info.includes("cluster_state:ok")) return waitHealthy(timeoutMs);
      } catch {
        // still catching up
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`node ${port} did not rejoin as a replica in time`);
  };

  // Polls every live node until `agreed` holds for each one's view.
  const untilAllSee = async (agreed: (view: { nodes: ClusterNode[]; info: string }) => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const views = await Promise.all(live().map(async (port) => ({ nodes: await nodesSeenBy(port), info: (await cli(port, "cluster", "info")).stdout })));
        if (views.every(agreed)) return;
      } catch {
        // a node may be busy electing
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what} did not happen in time`);
  };

  const waitUntilFailed = (port: number, timeoutMs = 30_000) =>
    untilAllSee(({ nodes, info }) => info.includes("cluster_state:fail") && !!nodes.find((n) => n.port === port)?.flags.includes("fail"), timeoutMs, `node ${port} failing`);

  const waitForFailover = async (killedPort: number, timeoutMs = 30_000) => {
    const promoted = replicaOfKilled.get(killedPort);
    if (promoted === undefined) throw new Error(`node ${killedPort} was not killed as a master with a replica`);
    await untilAllSee(
      ({ nodes, info }) => {
        const replica = nodes.find((n) => n.port === promoted);
        const dead = nodes.find((n) => n.port === killedPort);
        return info.includes("cluster_state:ok") && !!replica?.flags.includes("master") && replica.slots.length > 0 && !!dead?.flags.includes("fail") && dead.slots.length === 0;
      },
      timeoutMs,
      `the promotion of ${killedPort}'s replica`,
    );
    return promoted;
  };

  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`),
    waitHealthy,
    masterOf,
    holdFailover,
    waitUntilFailed,
    kill,
    pause,
    resume,
    waitForReplica,
    waitForFailover,
    command: async (port, ...args) => (await cli(port, ...args)).stdout.trim(),
    async stop() {
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGKILL"); // a paused node dies too
            }),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
