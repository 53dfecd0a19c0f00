import { spawn, type ChildProcess } from "node:child_process";
import { createClient } from "redis";
import { freePort } from "./app";
import { endWithThisProcess } from "./children";

/**
 * A redis-server of the test's own, on its own free port, run as a child
 * process so a fault test can kill, pause (SIGSTOP), resume and restart it
 * without touching the shared Redis.
 */
export interface RedisProcess {
  port: number;
  url: string;
  /** Kills the server (SIGKILL): its data is gone, like a crash without persistence. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty). */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Runs one command on a short-lived connection. */
  command(args: string[]): Promise<unknown>;
  stop(): Promise<void>;
}

async function waitForPing(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const client = createClient({ url, socket: { connectTimeout: 500, reconnectStrategy: false } });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      await client.close();
      return;
    } catch (err) {
      last = err;
      if (client.isOpen) client.destroy();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer PING: ${String(last)}`);
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    const proc = endWithThisProcess(
      spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], {
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    child = proc;
    proc.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    try {
      await waitForPing(url, 10_000);
    } catch (err) {
      throw new Error(`${String(err)}\n${output}`);
    }
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGCONT"); // a paused server must wake to die
      running.kill("SIGKILL");
    });
  };

  await start();
  return {
    port,
    url,
    kill,
    start,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async command(args) {
      const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
      client.on("error", () => {});
      await client.connect();
      try {
        return await client.sendCommand(args);
      } finally {
        await client.close();
      }
    },
    stop: kill,
  };
}
