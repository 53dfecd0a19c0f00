import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";
import base from "../../playwright.config";

// The example host app, installed from the packed tarball and built by `npm run example:build`,
// in Debian's Chromium. A free port is chosen once; the workers inherit it through the env.
process.env.HOST_APP_PORT ??= execFileSync(process.execPath, [
  "-e",
  "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })",
])
  .toString()
  .trim();
const baseURL = `http://127.0.0.1:${process.env.HOST_APP_PORT}`;

export default defineConfig({
  testDir: ".",
  // One app, one embedded database: the specs run one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: "../../test-results/host-app",
  // The demo run's browser and trace settings (Debian's Chromium, its flags), on this app's address.
  use: { ...base.use, baseURL },
  projects: [{ name: "host-app", use: { browserName: "chromium", viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: "node start-host-app.mjs",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
