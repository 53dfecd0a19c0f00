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

for (const { name, viewport } of widths) {
  test.describe(`${name} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport });

    test("catalog, product, drawer, cart and sign-in have no serious or critical violations", async ({ page }, testInfo) => {
      await page.goto("/");
      await hydrated(page);
      await check(page, testInfo, `${name}-catalog`);

      await page.goto("/products/tee-black-m");
      await hydrated(page);
      await check(page, testInfo, `${name}-product`);

      await addFromProductPage(page, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
      await expect(drawer(page)).toBeVisible();
      await check(page, testInfo, `${name}-drawer`);

      await page.goto("/cart");
      await hydrated(page);
      await expect(page.getByTestId("cart-line")).toHaveCount(1);
      await check(page, testInfo, `${name}-cart`);

      await page.goto("/signin");
      await hydrated(page);
      await check(page, testInfo, `${name}-signin`);
    });
  });
}
