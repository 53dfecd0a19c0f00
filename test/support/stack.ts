import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, TEST_SESSION_SECRET } from "./app";

/**
 * Runs `npm run stack` (scripts/stack.mts) as a child, the way an operator
 * would, and reads its stdout protocol: one `instance <n> pid <pid> url <url>`
 * line per instance, then `ready <url>`.
 */
export interface StackInstance {
  n: number;
  pid: number;
  url: string;
}

export interface Stack {
  url: string;
  instances: StackInstance[];
  stop(): Promise<void>;
  output(): string;
}

export async function startStack(options: { instances: number; env: Record<string, string> }): Promise<Stack> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/stack.mts", "--instances", String(options.instances), "--port", String(port)],
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
    },
  );
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });

  const instances: StackInstance[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => reject(new Error(`stack not ready within 90 s:\n${output}`)), 90_000);
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
  return { url, instances, stop, output: () => output };
}
