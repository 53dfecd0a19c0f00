import { expect, test, type Page } from "@playwright/test";

// Each test gets a fresh browser context: a new guest with no cookies.

/** Waits until React has hydrated, so clicks run the enhanced (JavaScript) forms. */
async function hydrated(page: Page) {
  await expect(page.getByTestId("cart-status")).toHaveAttribute("data-hydrated", "true");
}

const status = (page: Page) => page.getByRole("status");
const cartCount = (page: Page) => page.getByTestId("cart-count");
const line = (page: Page, productId: string) => page.locator(`[data-testid="cart-line"][data-product-id="${productId}"]`);

async function addFromProductPage(page: Page, slug: string, quantity: number, announcement: string) {
  await page.goto(`/products/${slug}`);
  await hydrated(page);
  await page.getByLabel("Quantity").selectOption(String(quantity));
  await page.getByTestId("add-to-cart").click();
  // The announcement comes with the server's answer: the change is committed.
  await expect(status(page)).toHaveText(announcement);
  await closeDrawer(page);
}

/** An add opens the cart drawer (a modal dialog); Escape closes it and gives focus back. */
async function closeDrawer(page: Page) {
  await expect(page.getByRole("dialog", { name: "Your cart" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
}

test("a guest fills the cart, changes it, and finds it the same after a reload", async ({ page }) => {
  await page.goto("/");
  await expect(cartCount(page)).toHaveText("0");
  await expect(page.getByRole("link", { name: "Cart, 0 items" })).toBeVisible();

  await addFromProductPage(page, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await expect(cartCount(page)).toHaveText("1");
  await addFromProductPage(page, "mug-stoneware", 2, "Added 2 × Stoneware Mug, Speckled to your cart");
  await expect(cartCount(page)).toHaveText("3");

  await page.getByRole("link", { name: "Cart, 3 items" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await hydrated(page);
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  await expect(line(page, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("1");
  await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("2");
  await expect(page.getByTestId("cart-subtotal")).toHaveText("$69.00");

  // + on the tee.
  await line(page, "sku-tee-black-m").getByTestId("line-increase").click();
  await expect(status(page)).toHaveText("Organic Tee, Black, M: quantity is now 2");
  await expect(line(page, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("2");
  await expect(cartCount(page)).toHaveText("4");

  // Type a quantity for the mug and press Update.
  const mug = line(page, "sku-mug-stoneware");
  await mug.getByTestId("line-quantity").fill("3");
  await mug.getByTestId("line-update").click();
  await expect(status(page)).toHaveText("Stoneware Mug, Speckled: quantity is now 3");
  await expect(cartCount(page)).toHaveText("5");
  await expect(page.getByTestId("cart-subtotal")).toHaveText("$116.00");

  // Remove the mug.
  await mug.getByTestId("line-remove").click();
  await expect(status(page)).toHaveText("Removed Stoneware Mug, Speckled from your cart");
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-subtotal")).toHaveText("$50.00");
  await expect(cartCount(page)).toHaveText("2");

  await page.reload();
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(line(page, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("2");
  await expect(line(page, "sku-tee-black-m").getByTestId("line-total")).toHaveText("$50.00");
  await expect(page.getByTestId("cart-subtotal")).toHaveText("$50.00");
  await expect(cartCount(page)).toHaveText("2");
  await expect(page.getByRole("link", { name: "Cart, 2 items" })).toBeVisible();
});

test("the first add survives an immediate reload", async ({ page }) => {
  await page.goto("/products/cap-black");
  await hydrated(page);
  const answered = page.waitForResponse(
    (response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/products/cap-black",
  );
  await page.getByTestId("add-to-cart").click();
  await answered;
  await page.reload();

  await expect(cartCount(page)).toHaveText("1");
  await page.goto("/cart");
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(line(page, "sku-cap-black").getByTestId("line-quantity")).toHaveValue("1");
  await expect(page.getByTestId("cart-subtotal")).toHaveText("$32.00");
});

test("the header count updates in place and the status line announces the add", async ({ page }) => {
  await page.goto("/products/tee-black-m");
  await hydrated(page);
  // A full page load would wipe this marker.
  await page.evaluate(() => {
    (window as unknown as { __sameDocument?: boolean }).__sameDocument = true;
  });
  const liveRegion = status(page);
  await expect(liveRegion).toHaveAttribute("aria-live", "polite");

  await page.getByTestId("add-to-cart").click();
  await expect(cartCount(page)).toHaveText("1");
  await expect(liveRegion).toHaveText("Added Organic Tee, Black, M to your cart");
  await expect(page.getByRole("link", { name: "Cart, 1 item" })).toBeVisible();
  await closeDrawer(page);

  await page.getByTestId("add-to-cart").click();
  await expect(cartCount(page)).toHaveText("2");
  await expect(liveRegion).toHaveText("Added Organic Tee, Black, M to your cart");
  await expect(page.getByTestId("cart-link")).not.toHaveAttribute("data-pending", "true");

  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await expect(page).toHaveURL(/\/products\/tee-black-m$/);

  await page.reload();
  await expect(cartCount(page)).toHaveText("2");
});

test("the catalog lists active products only; unknown and retired products are handled", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("product-card")).toHaveCount(23);
  await expect(page.locator('[data-testid="product-card"][data-product-id="sku-scarf-plaid"]')).toHaveCount(0);

  await page.goto("/products/scarf-plaid");
  await expect(page.getByTestId("product-unavailable")).toHaveText("No longer available");
  await expect(page.getByTestId("add-to-cart")).toHaveCount(0);

  const response = await page.goto("/products/no-such-thing");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We couldn't find that page");
});
