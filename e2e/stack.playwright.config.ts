import { defineConfig } from "@playwright/test";
import base from "../playwright.config";

const port = Number(process.env.E2E_STACK_PORT ?? 3443);
const baseURL = `https://127.0.0.1:${port}`;

/**
 * The live-cart specs through `npm run stack`: nginx over HTTPS (a self-signed certificate) in
 * front of two instances, so two devices' pages may be served by different instances and a
 * change crosses them through Redis pub/sub. Same start script as the demo's run
 * (e2e/start-server.mjs with E2E_STACK=1: a fresh database and key prefix, dropped at the end).
 */
export default defineConfig({
  ...base,
  testDir: ".",
  testIgnore: ["host-app/**"],
  testMatch: ["live.spec.ts"],
  workers: 1,
  outputDir: "../test-results/stack",
  use: { ...base.use, baseURL, ignoreHTTPSErrors: true },
  webServer: {
    ...base.webServer,
    command: "node e2e/start-server.mjs",
    // The repository's root, as for the demo's run (this file sits in e2e/).
    cwd: "..",
    url: `${baseURL}/api/health`,
    ignoreHTTPSErrors: true,
    env: { E2E_PORT: String(port), E2E_STACK: "1" },
  },
});
