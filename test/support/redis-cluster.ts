import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A Redis Cluster of the test's own: three masters with one replica each,
 * six `redis-server --cluster-enabled yes` on free ports (each with its bus
 * port, port + 10000, free too), joined by `redis-cli --cluster create`.
 */
export interface RedisCluster {
  /** host:port of every node, for REDIS_CLUSTER_NODES. */
  nodes: string[];
  /** Kills one master (SIGKILL) and returns its address; its replica takes over. */
  killMaster(): Promise<string>;
  /** Resolves once every slot is served again (cluster_state:ok on a live node). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Keys held by the live masters. */
  keyCount(): Promise<number>;
  stop(): Promise<void>;
}

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
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", path.join(dir, `nodes-${port}.conf`),
        "--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"],
      { stdio: "ignore" },
    );
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

  const live = () => ports.filter((p) => children.get(p)?.exitCode === null && children.get(p)?.signalCode === null);
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

  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`),
    async killMaster() {
      for (const port of live()) {
        const role = (await cli(port, "role")).stdout.split("\n")[0]?.trim();
        if (role === "master") {
          const child = children.get(port)!;
          await new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          });
          return `127.0.0.1:${port}`;
        }
      }
      throw new Error("no master to kill");
    },
    waitHealthy,
    async keyCount() {
      let total = 0;
      for (const port of live()) {
        if ((await cli(port, "role")).stdout.split("\n")[0]?.trim() === "master") total += Number((await cli(port, "dbsize")).stdout.trim());
      }
      return total;
    },
    async stop() {
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGKILL");
            }),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
