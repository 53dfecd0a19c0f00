import { expect, test, type Page } from "@playwright/test";

// The same flows with JavaScript switched off: every change is a plain form
// post that the server action answers with a redirect back to the page.
test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  const cartCount = (page: Page) => page.getByTestId("cart-count");
  const line = (page: Page, productId: string) =>
    page.locator(`[data-testid="cart-line"][data-product-id="${productId}"]`);

  test("a guest adds, updates and removes with form posts, and the cart survives a reload", async ({ page }) => {
    await page.goto("/products/tee-black-m");
    await expect(cartCount(page)).toHaveText("0");
    await page.getByLabel("Quantity").selectOption("2");
    await page.getByTestId("add-to-cart").click();
    // Redirected back to the product page, rendered with the new cart.
    await expect(cartCount(page)).toHaveText("2");
    await expect(page).toHaveURL(/\/products\/tee-black-m$/);

    await page.goto("/products/mug-stoneware");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("3");

    await page.goto("/cart");
    await expect(page.getByTestId("cart-line")).toHaveCount(2);
    await expect(line(page, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("2");
    await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("1");
    await expect(page.getByTestId("cart-subtotal")).toHaveText("$72.00");

    const mug = line(page, "sku-mug-stoneware");
    await mug.getByTestId("line-quantity").fill("3");
    await mug.getByTestId("line-update").click();
    await expect(cartCount(page)).toHaveText("5");
    await expect(page).toHaveURL(/\/cart$/);
    await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("3");
    await expect(page.getByTestId("cart-subtotal")).toHaveText("$116.00");

    await line(page, "sku-tee-black-m").getByTestId("line-remove").click();
    await expect(cartCount(page)).toHaveText("3");
    await expect(page.getByTestId("cart-line")).toHaveCount(1);
    await expect(page.getByTestId("cart-subtotal")).toHaveText("$66.00");

    await page.reload();
    await expect(page.getByTestId("cart-line")).toHaveCount(1);
    await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("3");
    await expect(page.getByTestId("cart-subtotal")).toHaveText("$66.00");
    await expect(cartCount(page)).toHaveText("3");
    await expect(page.getByRole("link", { name: "Cart, 3 items" })).toBeVisible();
  });

  test("the + and − buttons post the new quantity, and a refused change is explained", async ({ page }) => {
    await page.goto("/products/notebook-a5");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("1");

    await page.goto("/cart");
    const notebook = line(page, "sku-notebook-a5");
    await notebook.getByTestId("line-increase").click();
    await expect(cartCount(page)).toHaveText("2");
    await notebook.getByTestId("line-decrease").click();
    await expect(cartCount(page)).toHaveText("1");

    // 99 is the most one line can hold: + is disabled there.
    await notebook.getByTestId("line-quantity").fill("99");
    await notebook.getByTestId("line-update").click();
    await expect(cartCount(page)).toHaveText("99");
    await expect(notebook.getByTestId("line-increase")).toBeDisabled();

    // Adding one more is refused and the page says why.
    await page.goto("/products/notebook-a5");
    await page.getByTestId("add-to-cart").click();
    await expect(page.getByTestId("cart-error")).toContainText("more than we can put on one line");
    await expect(page).toHaveURL(/cartError=QUANTITY_LIMIT/);
    await expect(cartCount(page)).toHaveText("99");

    await page.goto("/cart");
    await page.getByTestId("cart-clear").click();
    await expect(cartCount(page)).toHaveText("0");
    await expect(page.getByTestId("cart-empty")).toBeVisible();
  });
  test("the drawer is a plain link to the cart, and adding opens no dialog", async ({ page }) => {
    await page.goto("/products/mug-stoneware");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("1");
    // No JavaScript, no dialog: the post came back to the product page.
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page).toHaveURL(/\/products\/mug-stoneware$/);

    await page.getByRole("link", { name: "Cart, 1 item" }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("1");
    // The stylesheet is the module's own: the cart's classes carry the nc- prefix.
    await expect(page.locator(".nc-cart .nc-lines .nc-line")).toHaveCount(1);
  });

  test("a quantity beyond the limit is refused without JavaScript and the cart is unchanged", async ({ page }) => {
    await page.goto("/products/tee-black-m");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("1");
    await page.goto("/cart");
    const tee = line(page, "sku-tee-black-m");
    // The field's max would stop the browser's own post; a client that skips it gets the server's answer.
    await tee.getByTestId("line-quantity").evaluate((input) => input.removeAttribute("max"));
    await tee.getByTestId("line-quantity").fill("150");
    await tee.getByTestId("line-update").click();
    await expect(page).toHaveURL(/cartError=/);
    await expect(page.getByTestId("cart-error")).toBeVisible();
    await expect(line(page, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("1");
    await expect(cartCount(page)).toHaveText("1");
  });
});
