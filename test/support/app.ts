import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { endWithThisProcess } from "./children";

/**
 * Starts the built app (`next start`) as a real server process with the
 * given environment, waits until /api/health answers, and can restart it.
 */
export interface AppServer {
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  output(): string;
}

export const TEST_SESSION_SECRET = "integration-test-secret-0123456789-abcdefghij";
// Production serves /api/metrics only with METRICS_TOKEN; test servers have this one (test/support/prometheus.ts scrapes with it).
export const TEST_METRICS_TOKEN = "integration-metrics-token-0123456789";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

// `onOutput` hears the server's output as it comes (a suite waits for a line instead of a time).
export async function startApp(env: Record<string, string>, options: { onOutput?: (output: string) => void } = {}): Promise<AppServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    child = endWithThisProcess(spawn(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        LOG_LEVEL: "warn",
        SESSION_SECRET: TEST_SESSION_SECRET,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        AUTH_SECRET: "integration-auth-secret-0123456789-abcdefghij",
        AUTH_TRUST_HOST: "true",
        RATE_LIMIT_DISABLED: "1",
        // Correctness suites on a busy 2-core machine: no shedding unless a suite asks for it
        // (test/integration/admission.test.ts does).
        ADMISSION_MAX_IN_FLIGHT: "0",
        ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }));
    const hear = (d: Buffer) => {
      output += d.toString();
      options.onOutput?.(output);
    };
    child.stdout?.on("data", hear);
    child.stderr?.on("data", hear);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output}`);
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`app did not become healthy in time:\n${output}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
      running.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      running.kill("SIGTERM");
    });
  };

  await launch();
  return {
    url,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    output: () => output,
  };
}
