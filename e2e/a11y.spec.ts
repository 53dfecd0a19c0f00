import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { addFromProductPage, drawer, hydrated } from "./helpers";

// axe-core on every page a shopper uses, at a phone's and a desktop's width,
// with a screenshot of each kept as a test artifact.
const widths = [
  { name: "mobile", viewport: { width: 390, height: 844 } },
  { name: "desktop", viewport: { width: 1280, height: 800 } },
];

async function check(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const screenshot = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach(name, { path: screenshot, contentType: "image/png" });
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  // axe ran rules on the page (a blank page would pass vacuously).
  expect(results.passes.length).toBeGreaterThan(0);
}

const pages: Array<{ page: string; open: (page: Page) => Promise<void> }> = [
  { page: "catalog", open: (page) => visit(page, "/") },
  { page: "product", open: (page) => visit(page, "/products/tee-black-m") },
  {
    page: "drawer",
    open: async (page) => {
      await addFromProductPage(page, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
      await expect(drawer(page)).toBeVisible();
    },
  },
  {
    page: "cart",
    open: async (page) => {
      await addFromProductPage(page, "mug-stoneware", 1, "Added Stoneware Mug, Speckled to your cart");
      await visit(page, "/cart");
      await expect(page.getByTestId("cart-line")).toHaveCount(1);
    },
  },
  { page: "sign-in", open: (page) => visit(page, "/signin") },
];

async function visit(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

for (const { name, viewport } of widths) {
  test.describe(`${name} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport });

    for (const { page: pageName, open } of pages) {
      test(`${pageName}: no serious or critical violations`, async ({ page }, testInfo) => {
        // axe takes several seconds per page on a busy 2-core machine.
        test.slow();
        await open(page);
        await check(page, testInfo, `${name}-${pageName}`);
      });
    }
  });
}
