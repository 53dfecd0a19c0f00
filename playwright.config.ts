import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

/**
 * End-to-end specs against the built app (`npm run build` first) in Debian's
 * Chromium. The web server gets its own fresh Postgres database and Redis key
 * prefix (e2e/start-server.mjs), dropped again when the run ends.
 */
export default defineConfig({
  testDir: "./e2e",
  // e2e/host-app runs against the example host app: npx playwright test -c e2e/host-app/playwright.config.ts
  testIgnore: ["host-app/**"],
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    // DOM snapshots and network for a failed spec, without the screencast (it costs the run a fifth of its time).
    trace: { mode: "retain-on-failure", screenshots: false },
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium", viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: "node e2e/start-server.mjs",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // SIGTERM lets the script stop Next and drop its database.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: { E2E_PORT: String(port) },
  },
});
