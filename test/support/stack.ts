import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, TEST_SESSION_SECRET } from "./app";
import { endWithThisProcess } from "./children";

/**
 * Runs `npm run stack` (scripts/stack.mts) as a child, the way an operator
 * would, and reads its stdout protocol: with `postgres: "ha"`, one
 * `postgres node <n> pid <pid> port <port> role <role>` line per Postgres node;
 * one `instance <n> pid <pid> url <url>` line per instance; `http <url>` (the
 * plain-HTTP server that redirects); then `ready <url>`.
 */
export interface StackInstance {
  n: number;
  pid: number;
  url: string;
}

export interface StackPostgresNode {
  n: number;
  /** The postmaster's pid when the stack became ready. */
  pid: number;
  port: number;
  role: "primary" | "secondary";
}

export interface Stack {
  url: string;
  /** The plain-HTTP port's URL (redirects to `url`). */
  httpUrl: string;
  /** The port the stack was started with (`--port`): the formation lives in `.data/stack/pg/<port>`. */
  port: number;
  instances: StackInstance[];
  /** Empty unless started with `postgres: "ha"`. */
  postgresNodes: StackPostgresNode[];
  stop(): Promise<void>;
  output(): string;
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export async function startStack(options: { instances: number; env: Record<string, string>; postgres?: "ha" }): Promise<Stack> {
  const port = await freePort();
  const ha = options.postgres === "ha";
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join("node_modules", "tsx", "dist", "cli.mjs"),
      "scripts/stack.mts",
      "--instances",
      String(options.instances),
      "--port",
      String(port),
      ...(ha ? ["--postgres", "ha"] : []),
    ],
    {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        SESSION_SECRET: TEST_SESSION_SECRET,
        AUTH_SECRET: "integration-auth-secret-0123456789-abcdefghij",
        RATE_LIMIT_DISABLED: "1",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a stack that must be killed is killed with nginx and everything
      // else it started (a SIGKILLed script runs no exit handler, and once left an nginx behind).
      detached: true,
    },
  );
  endWithThisProcess(child, killGroup);
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // The formation stops after the instances, one server at a time.
      const timer = setTimeout(() => killGroup(child), ha ? 45_000 : 15_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });

  const instances: StackInstance[] = [];
  const postgresNodes: StackPostgresNode[] = [];
  let httpUrl = "";
  const readyWithin = ha ? 180 : 90;
  const url = await new Promise<string>((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => reject(new Error(`stack not ready within ${readyWithin} s:\n${output}`)), readyWithin * 1000);
    child.once("exit", (code) => reject(new Error(`stack exited with ${code}:\n${output}`)));
    child.stdout?.on("data", (d: Buffer) => {
      pending += d.toString();
      output += d.toString();
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const instance = /^instance (\d+) pid (\d+) url (\S+)$/.exec(line);
        if (instance) instances.push({ n: Number(instance[1]), pid: Number(instance[2]), url: instance[3]! });
        const node = /^postgres node (\d+) pid (\d+) port (\d+) role (primary|secondary)$/.exec(line);
        if (node) postgresNodes.push({ n: Number(node[1]), pid: Number(node[2]), port: Number(node[3]), role: node[4] as StackPostgresNode["role"] });
        const http = /^http (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (http) httpUrl = http[1]!;
        const ready = /^ready (https:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      }
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, httpUrl, port, instances, postgresNodes, stop, output: () => output };
}
