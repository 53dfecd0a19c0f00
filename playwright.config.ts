import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

// Debian's Chromium in its headless build (package chromium-headless-shell, the "old" headless
// mode Playwright itself runs headless specs in): the same engine as /usr/bin/chromium at about
// 60% of its CPU per spec, which on two cores is most of the run. CHROMIUM_PATH picks another.
const chromium = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].find((path) => existsSync(path));

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
    // DOM snapshots and network for a failed spec, without the screencast (it costs the run a fifth
    // of its time); not in CI, where nobody opens a trace and taking them costs another seventh.
    trace: process.env.CI ? "off" : { mode: "retain-on-failure", screenshots: false },
    launchOptions: {
      executablePath: chromium,
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
