// The example host app (examples/bare-app wired by `npx next-cart init`, installed from the packed
// tarball) in Chromium: the shopper's flows through the module's components, and the plain identity adapter.
import { expect, test, type Page } from "@playwright/test";
import { sampleProducts as products } from "../../lib/cli/templates";

const [mug, tote] = products as [(typeof products)[number], (typeof products)[number]];

async function serverCart(page: Page) {
  // The browser's own cookies: the cart this shopper has on the server.
  const res = await page.request.get("/api/cart");
  expect(res.status()).toBe(200);
  return res.json();
}

function addButton(page: Page, name: string) {
  return page.getByTestId("product-card").filter({ hasText: name }).getByTestId("add-to-cart");
}

test("a guest adds a product, changes its quantity and removes it", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("cart-count")).toHaveText("0");

  await addButton(page, mug.name).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");

  await page.getByTestId("cart-link").click();
  await expect(page).toHaveURL(/\/cart$/);
  const line = page.getByTestId("cart-line").filter({ hasText: mug.name });
  await expect(line).toHaveCount(1);

  await line.getByTestId("line-increase").click();
  await expect(line.getByTestId("line-quantity")).toHaveValue("2");
  await expect(page.getByTestId("cart-count")).toHaveText("2");
  await expect.poll(async () => (await serverCart(page)).subtotal).toBe(2 * mug.price);

  await line.getByTestId("line-remove").click();
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  // The remove shows at once; its request leaves a moment later (a click soon after the last
  // request joins its burst: lib/react/outbox.ts sendAt).
  await expect.poll(async () => (await serverCart(page)).items).toEqual([]);
});

test("signing in merges the guest cart into the user's, signing out leaves a fresh guest cart", async ({ page }) => {
  await page.goto("/");
  await addButton(page, tote.name).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");

  await page.getByRole("button", { name: "Sign in as Ada" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("ada@example.com");
  await expect(page.getByTestId("merged-banner")).toBeVisible();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  const merged = await serverCart(page);
  expect(merged.items.map((item: { productId: string }) => item.productId)).toEqual([tote.id]);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in as Ada" })).toBeVisible();
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  expect((await serverCart(page)).items).toEqual([]);
});
