// `npx next-cart init` on a fresh app, then that app builds and adds to its cart in Chromium:
// npm run example:build copies examples/bare-app (no cart wiring) to examples/host-app, installs
// the packed module and runs init there before next build; this checks that the app under test
// is init's output, shops in it, and that its production server refuses to start on bad settings.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { sampleProducts, wiringFiles } from "../../lib/cli/templates";

const example = path.resolve(__dirname, "../../examples/host-app");
const [mug] = sampleProducts as [(typeof sampleProducts)[number]];

test("the app under test runs what next-cart init wrote", () => {
  for (const file of wiringFiles({ alias: true })) expect(readFileSync(path.join(example, file.path), "utf8"), file.path).toBe(file.text);
  expect(readFileSync(path.join(example, "app/layout.tsx"), "utf8")).toContain("<CartRoot>{children}</CartRoot>");
  expect(readFileSync(path.join(example, ".gitignore"), "utf8")).toMatch(/^\.data\/$/m);
});

test("a shopper adds a sample product to the cart", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  await page.getByTestId("product-card").filter({ hasText: mug.name }).getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  // The count is the optimistic view at once; the server's cart follows when the action has
  // answered (the provider sends a change after a short pause, folding quick clicks). Only then
  // does the browser hold the session cookie the request below shares: asked earlier, it would
  // start a session of its own.
  await expect(page.getByTestId("cart-status")).not.toHaveAttribute("data-pending", /.+/);
  await expect
    .poll(async () => (await (await page.request.get("/api/cart")).json()).items)
    .toEqual([expect.objectContaining({ productId: mug.id, quantity: 1, unitPrice: mug.price })]);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// next start in production with these settings: how it ended and what it said, or "still running".
async function startWith(settings: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "next-cart-host-app-start-"));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CART_)?(SESSION_SECRET|AUTH_SECRET|DATABASE_URL|REDIS_URL|REDIS_CLUSTER_NODES|UPSTASH_REDIS_REST_\w+|DATA_DIR)$/.test(name)));
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: example,
    env: { ...inherited, NODE_ENV: "production", CART_DATA_DIR: dataDir, LOG_LEVEL: "warn", ...settings },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGTERM"), 25_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  rmSync(dataDir, { recursive: true, force: true });
  return { code, output };
}

test("a production server with a missing or unsafe setting stops at start with the ConfigError's lines", async () => {
  test.setTimeout(60_000);
  const [missing, unsafe] = await Promise.all([startWith({}), startWith({ CART_SESSION_SECRET: "too-short" })]);
  expect(missing.output).toContain("Invalid configuration:\n  - SESSION_SECRET: is required in production");
  expect(missing.code).toBe(1);
  expect(unsafe.output).toContain("Invalid configuration:\n  - SESSION_SECRET.0: each secret must be at least 32 characters");
  expect(unsafe.code).toBe(1);
});
