// Starts the example host app (examples/bare-app wired by next-cart init and built, by npm run
// example:build) for its Playwright run: the embedded default (PGlite, in-process store) in a
// fresh CART_DATA_DIR, removed when it stops.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const port = process.env.HOST_APP_PORT ?? "3200";
const example = path.resolve(import.meta.dirname, "../../examples/host-app");
const dataDir = mkdtempSync(path.join(tmpdir(), "next-cart-host-app-"));
const secret = () => randomBytes(36).toString("base64url");

// Nothing from the root app's environment may point the example at a shared database or Redis.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(CART_)?(DATABASE_URL|REDIS_URL|REDIS_CLUSTER_NODES|UPSTASH_REDIS_REST_\w+|DATA_DIR|STORE_KEY_PREFIX)$/.test(name)),
);

const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", port, "-H", "127.0.0.1"], {
  cwd: example,
  stdio: "inherit",
  env: {
    ...inherited,
    NODE_ENV: "production",
    CART_DATA_DIR: dataDir,
    // All production asks of a host without Auth.js (the README's "Add the cart to your Next.js app").
    CART_SESSION_SECRET: secret(),
    CART_RATE_LIMIT_DISABLED: "1",
    // One request line per response would bury the report; warnings and errors still show.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  },
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on("exit", (code, signal) => {
  rmSync(dataDir, { recursive: true, force: true });
  if (!stopping && code !== 0) console.log(`[host-app] next exited early (${signal ?? code})`);
  process.exit(code ?? (stopping ? 0 : 1));
});
