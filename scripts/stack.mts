// npm run stack -- --instances N --port P [--postgres ha]   (after `npm run build`)
//
// Runs, in the foreground, N `next start` instances on free ports and nginx
// (deploy/nginx/nginx.conf.template) on https://127.0.0.1:P in front of them,
// with a self-signed ECDSA P-256 certificate made on first run under
// .data/stack/tls, and a plain-HTTP server on a free port that redirects to it.
// The instances use DATABASE_URL; with `--postgres ha` they use a pg_auto_failover
// formation started first instead (deploy/postgres/formation.ts: a monitor and two
// nodes under .data/stack/pg/<P>, fresh each run, removed on stop).
//
// Stdout carries only these lines, in this order: with `--postgres ha`,
// `postgres node <n> pid <postmaster pid> port <port> role <primary|secondary>` per
// node; `instance <n> pid <pid> url <url>` per instance; `http http://127.0.0.1:<port>`
// (the redirecting server); then `ready https://127.0.0.1:<P>`. The children's output
// goes to stderr (the formation's to log files beside its data, named on stderr if a
// server exits). SIGTERM or SIGINT stops everything it started. Exit code 1 when it
// cannot start (or nginx stops on its own), 0 after a requested stop.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import { createServer } from "node:net";
import path from "node:path";
import { ConfigError } from "@/lib/config/env";
import { parseStackEnv } from "@/deploy/stack-settings";
import { Formation } from "../deploy/postgres/formation";

const USAGE = "usage: npm run stack -- [--instances N] [--port P] [--postgres ha]";
const root = process.cwd();
const stackDir = path.join(root, ".data", "stack");

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parseArgs(argv: string[]): { instances: number; port: number; postgres: "env" | "ha" } {
  const options = { instances: 2, port: 8443, postgres: "env" as "env" | "ha" };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === "--postgres") {
      // "env": DATABASE_URL as given; "ha": a formation of our own.
      if (value === "ha" || value === "env") options.postgres = value;
      else fail(`--postgres takes "ha" (a pg_auto_failover formation) or "env" (DATABASE_URL, the default)\n${USAGE}`);
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n)) fail(`${name} needs a whole number\n${USAGE}`);
    if (name === "--instances" && n >= 1 && n <= 16) options.instances = n;
    else if (name === "--port" && n >= 1 && n <= 65_535) options.port = n;
    else fail(`unknown option or value out of range: ${name} ${value}\n${USAGE}`);
  }
  return options;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

// Made once; built in a temporary directory and renamed, so stacks started together never mix a key with another's certificate.
// Another server on the port would answer our readiness check and hide nginx's failed bind.
async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function certificate(): Promise<{ cert: string; key: string }> {
  const dir = path.join(stackDir, "tls");
  const files = { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
  if (existsSync(files.cert)) return files;
  await mkdir(stackDir, { recursive: true });
  const scratch = await mkdtemp(path.join(stackDir, "tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-keyout", path.join(scratch, "key.pem"), "-out", path.join(scratch, "cert.pem"),
    "-days", "825", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    await rename(scratch, dir);
  } catch {
    // Another stack made it first: use that one.
    await rm(scratch, { recursive: true, force: true });
  }
  return files;
}

async function renderConfig(runDir: string, port: number, httpPort: number, upstreams: number[], perInstance: number, tls: { cert: string; key: string }, accessLog?: string) {
  const total = perInstance * upstreams.length;
  // One refused or timed-out attempt takes an instance out for 2 s: a killed one costs
  // at most one failed attempt per 2 s, a slow start of a live one little.
  const [maxFails, failTimeout] = ["1", "2s"];
  const values: Record<string, string> = {
    RUN_DIR: runDir,
    PORT: String(port),
    HTTP_PORT: String(httpPort),
    // The names the certificate carries; any other Host is closed unanswered (444).
    SERVER_NAMES: "127.0.0.1 localhost",
    HTTPS_PORT_SUFFIX: port === 443 ? "" : `:${port}`,
    CERT: tls.cert,
    KEY: tls.key,
    MAX_FAILS: maxFails,
    FAIL_TIMEOUT: failTimeout,
    SERVERS: upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=${maxFails} fail_timeout=${failTimeout};`).join("\n"),
    // Shares of the total (docs/operations.md#gateway): changes may use all of it.
    LIMIT_ALL: String(total),
    LIMIT_READS: String(Math.max(1, Math.ceil(total * 0.75))),
    LIMIT_NEW: String(Math.max(1, Math.ceil(total * 0.5))),
    // Live-cart streams (their own zone): what the instances accept together (LIVE_MAX_STREAMS each, default 2,000).
    LIMIT_LIVE: String(Math.max(1, liveStreamsPerInstance() * upstreams.length)),
    // The build's immutable assets, served by nginx from disk (the instances run this build).
    NEXT_STATIC_DIR: path.join(root, ".next", "static"),
    LIMIT_STATIC: "4096",
    ACCESS_LOG: accessLog ? `${accessLog} timing buffer=256k flush=1s` : "off",
  };
  const template = await readFile(path.join(root, "deploy", "nginx", "nginx.conf.template"), "utf8");
  const config = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => values[name] ?? fail(`template names unknown {{${name}}}`));
  const file = path.join(runDir, "nginx.conf");
  await writeFile(file, config);
  return file;
}

// The instances' LIVE_MAX_STREAMS (as they read it: CART_ prefix first); 0 (live carts off) still lets nginx pass the 501.
function liveStreamsPerInstance(): number {
  const raw = process.env.CART_LIVE_MAX_STREAMS ?? process.env.LIVE_MAX_STREAMS;
  const n = raw === undefined || raw === "" ? 2000 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 2000;
}

const children: ChildProcess[] = [];
let formation: Formation | undefined;
let stopping = false;

function spawnChild(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // The children write to our stderr: stdout is kept for the lines a caller parses.
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", 2, 2] });
  children.push(child);
  return child;
}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it was ready`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} was not ready within ${ms / 1000} s`);
}

function httpsHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host: "127.0.0.1", port, path: "/api/health", rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  // The instances are gone: the formation can stop without a client noticing.
  await formation?.stop().catch((error: unknown) => process.stderr.write(`stack: stopping the formation: ${String(error)}\n`));
  process.exit(code);
}

async function main() {
  const { instances, port, postgres } = parseArgs(process.argv.slice(2));
  if (postgres === "env" && !process.env.DATABASE_URL) {
    fail("npm run stack needs DATABASE_URL (a Postgres URL) or --postgres ha: the embedded PGlite is one process per directory, and the stack runs several.");
  }
  if (!(await portFree(port))) fail(`port ${port} is in use: choose another with --port.`);
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) fail("no build found: run `npm run build` first.");
  let perInstance: number;
  let accessLog: string | undefined;
  try {
    ({ STACK_MAX_CONN: perInstance, STACK_ACCESS_LOG: accessLog } = parseStackEnv());
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  if (!existsSync("/usr/sbin/nginx") && !commandExists("nginx")) fail("nginx is not installed (Debian: apt-get install -y nginx).");

  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stopAll(0));
  // Last resort if this process dies some other way: leave nothing running.
  process.on("exit", () => {
    children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
    formation?.killNow();
  });

  const appEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" as const, TRUST_PROXY: "1", AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1" };
  if (postgres === "ha") {
    const ports = { monitor: await freePort(), nodes: [await freePort(), await freePort()] as [number, number] };
    formation = new Formation(path.join(stackDir, "pg", String(port)), ports, "cart", (line) => process.stderr.write(`stack: ${line}\n`));
    const began = Date.now();
    await formation.start();
    process.stderr.write(`stack: postgres formation ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ${formation.url}\n`);
    for (const node of formation.nodes) process.stdout.write(`postgres node ${node.n} pid ${node.pid} port ${node.port} role ${node.role}\n`);
    // The formation's multi-host URL: postgres.js tries each host and keeps the read-write one.
    appEnv.DATABASE_URL = formation.url;
  }
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const ports: number[] = [];
  const started = [];
  for (let n = 1; n <= instances; n++) {
    const appPort = await freePort();
    ports.push(appPort);
    const child = spawnChild(process.execPath, [nextBin, "start", "-p", String(appPort), "-H", "127.0.0.1", "--keepAliveTimeout", "5000"], appEnv);
    const url = `http://127.0.0.1:${appPort}`;
    child.once("exit", (code, signal) => {
      if (!stopping) process.stderr.write(`stack: instance ${n} exited (${signal ?? code}); nginx sends its requests to the others\n`);
    });
    started.push(waitFor(async () => (await fetch(`${url}/api/health`)).status === 200, child, `instance ${n}`).then(() => `instance ${n} pid ${child.pid} url ${url}\n`));
  }
  // Started together (each migrates under the advisory lock), announced in order.
  for (const line of await Promise.all(started)) process.stdout.write(line);

  const runDir = path.join(stackDir, `run-${port}`);
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  const httpPort = await freePort();
  const conf = await renderConfig(runDir, port, httpPort, ports, perInstance, await certificate(), accessLog);
  const nginx = spawnChild("nginx", ["-p", runDir, "-e", "stderr", "-c", conf, "-g", "daemon off;"], process.env);
  nginx.once("exit", (code, signal) => {
    if (stopping) return;
    process.stderr.write(`stack: nginx exited (${signal ?? code}); stopping\n`);
    void stopAll(1);
  });
  await waitFor(() => httpsHealthy(port), nginx, "nginx", 15_000);
  process.stdout.write(`http http://127.0.0.1:${httpPort}\n`);
  process.stdout.write(`ready https://127.0.0.1:${port}\n`);
}

function commandExists(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stack: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
