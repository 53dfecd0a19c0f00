import { expect, type Page } from "@playwright/test";

// Shared steps of the specs.

/** Waits until React has hydrated, so clicks run the enhanced (JavaScript) forms. */
export async function hydrated(page: Page) {
  await expect(page.getByTestId("cart-status")).toHaveAttribute("data-hydrated", "true");
}

// The password the specs register their accounts with.
export const PASSWORD = "correct-horse-battery";

/** Signs in through the sign-in page (with or without JavaScript) and lands on the cart, signed in. */
export async function signIn(page: Page, email: string, { javaScript = true } = {}) {
  await page.goto("/signin");
  if (javaScript) await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByTestId("account-email")).toContainText(email);
}

export const status = (page: Page) => page.getByRole("status");
export const cartCount = (page: Page) => page.getByTestId("cart-count");
export const drawer = (page: Page) => page.getByRole("dialog", { name: "Your cart" });
export const line = (scope: Page | ReturnType<Page["locator"]>, productId: string) =>
  scope.locator(`[data-testid="cart-line"][data-product-id="${productId}"]`);

/** Adds from a product page with JavaScript; the drawer opens and the status line confirms the commit. */
export async function addFromProductPage(page: Page, slug: string, quantity: number, announcement: string) {
  await page.goto(`/products/${slug}`);
  await hydrated(page);
  await page.getByLabel("Quantity").selectOption(String(quantity));
  await page.getByTestId("add-to-cart").click();
  await expect(drawer(page)).toBeVisible();
  await expect(status(page)).toHaveText(announcement);
}
