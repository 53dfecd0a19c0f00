import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, signIn } from "./helpers";

// The /admin dashboard: charts drawn by uPlot for an admin (ADMIN_EMAILS in
// e2e/start-server.mjs, verified there), updated by polling; a 404 for everyone else.

const ADMIN = "e2e-admin@example.com";
const uniqueEmail = () => `e2e-${Date.now()}-${Math.random()}@example.com`;

/** A chart's number of plotted (non-null) values, as the dashboard last drew it. */
const points = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute("data-points"));

test("an admin sees the dashboard's charts, drawn with data, and can run the cleanup", async ({ page }, testInfo) => {
  // Registered here (the run's database is fresh); 409 if an earlier attempt in this run made it.
  const registered = await page.request.post("/api/auth/register", { data: { email: ADMIN, password: PASSWORD } });
  expect([201, 409]).toContain(registered.status());
  // Some cart traffic for the cache and latency charts.
  expect((await page.request.post("/api/cart/items", { data: { productId: "sku-tee-black-m" } })).status()).toBe(200);
  expect((await page.request.get("/api/cart")).status()).toBe(200);
  await signIn(page, ADMIN);
  // ADMIN_EMAILS names admins only once a provider verified the address: e2e/start-server.mjs
  // marks this one verified, as GitHub would, as soon as it exists.
  await expect.poll(async () => (await page.request.get("/api/admin/stats")).status()).toBe(200);

  const response = await page.goto("/admin");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Operations" })).toBeVisible();
  await expect(page.getByTestId("admin-dashboard")).toBeVisible();

  const charts = ["chart-now", "chart-guest-age", "chart-user-age", "chart-p50", "chart-p99", "chart-cache", "chart-rejections", "chart-cleanup", "chart-events"];
  for (const id of charts) {
    await expect(page.getByTestId(id).locator(".uplot canvas")).toHaveCount(1);
  }
  // uPlot drew real data: the "now" bars count this run's sessions and carts; latency has routes.
  for (const id of ["chart-now", "chart-guest-age", "chart-user-age", "chart-p50", "chart-p99", "chart-rejections"]) {
    await expect.poll(() => points(page, id), { message: id }).toBeGreaterThan(0);
  }
  await expect.poll(() => points(page, "chart-cache"), { message: "chart-cache" }).toBeGreaterThan(0);
  await expect(page.getByTestId("chart-p50").locator(".u-legend")).toContainText("/api/cart");
  const canvas = await page.getByTestId("chart-p50").locator("canvas").boundingBox();
  expect(canvas?.width).toBeGreaterThan(200);
  expect(canvas?.height).toBeGreaterThan(100);

  // The charts update in place as the dashboard polls (every 5 s): the time axis grows.
  const before = await page.getByTestId("chart-rejections").getAttribute("data-points");
  await expect.poll(() => page.getByTestId("chart-rejections").getAttribute("data-points"), { timeout: 15_000 }).not.toBe(before);

  await page.getByTestId("run-cleanup").click();
  await expect(page.getByTestId("cleanup-result")).toContainText("Cleanup done");
  await expect.poll(() => points(page, "chart-cleanup")).toBeGreaterThan(0);

  const path = testInfo.outputPath("admin-dashboard.png");
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach("admin-dashboard", { path, contentType: "image/png" });
});

test("the dashboard is a 404 for a signed-in shopper who is not an admin", async ({ page }) => {
  const email = uniqueEmail();
  expect((await page.request.post("/api/auth/register", { data: { email, password: PASSWORD } })).status()).toBe(201);
  await signIn(page, email);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("admin-dashboard")).toHaveCount(0);
  expect((await page.request.get("/api/admin/stats")).status()).toBe(404);
});

test("the dashboard is a 404 for a guest", async ({ page }) => {
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("admin-dashboard")).toHaveCount(0);
  expect((await page.request.get("/api/admin/stats")).status()).toBe(404);
});
