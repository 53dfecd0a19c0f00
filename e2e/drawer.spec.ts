import { expect, test } from "@playwright/test";
import { addFromProductPage, cartCount, drawer, hydrated, line, status } from "./helpers";

// The cart drawer with JavaScript: it opens on add, holds the lines and the
// summary, and changes made in it are the same server actions as on /cart.

test("adding from a product page opens the drawer; quantity and remove work inside it; Escape gives focus back", async ({ page }) => {
  await addFromProductPage(page, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
  const panel = drawer(page);
  await expect(panel).toHaveAttribute("aria-modal", "true");
  await expect(panel.getByTestId("cart-drawer-close")).toBeFocused();
  await expect(line(panel, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("2");
  await expect(panel.getByTestId("cart-subtotal")).toHaveText("$50.00");

  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId("add-to-cart")).toBeFocused();

  // A second product, then change it from the drawer.
  await addFromProductPage(page, "mug-stoneware", 1, "Added Stoneware Mug, Speckled to your cart");
  const mug = line(panel, "sku-mug-stoneware");
  await mug.getByTestId("line-increase").click();
  await expect(status(page)).toHaveText("Stoneware Mug, Speckled: quantity is now 2");
  await expect(mug.getByTestId("line-quantity")).toHaveValue("2");
  await expect(cartCount(page)).toHaveText("4");

  await line(panel, "sku-tee-black-m").getByTestId("line-remove").click();
  await expect(status(page)).toHaveText("Removed Organic Tee, Black, M from your cart");
  await expect(panel.getByTestId("cart-line")).toHaveCount(1);
  await expect(panel.getByTestId("cart-subtotal")).toHaveText("$44.00");

  // "View cart" leaves the drawer for the cart page, which shows the same cart.
  await panel.getByTestId("cart-drawer-view").click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(panel).toHaveCount(0);
  await expect(line(page, "sku-mug-stoneware").getByTestId("line-quantity")).toHaveValue("2");

  await page.reload();
  await expect(cartCount(page)).toHaveText("2");
});

test("Tab stays inside the open drawer and the backdrop closes it", async ({ page }) => {
  await addFromProductPage(page, "cap-black", 1, "Added Six-Panel Cap, Black to your cart");
  const panel = drawer(page);
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press("Tab");
    expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  await page.getByTestId("cart-drawer-backdrop").click({ position: { x: 10, y: 400 } });
  await expect(panel).toHaveCount(0);
});

test("a refused change rolls back and says why beside the control", async ({ page }) => {
  await addFromProductPage(page, "notebook-a5", 1, "Added Dot-Grid Notebook, A5 to your cart");
  await page.keyboard.press("Escape");
  await page.goto("/cart");
  await hydrated(page);
  const notebook = line(page, "sku-notebook-a5");

  // More than one line may hold (99): the field's max stops the browser, so drop it as a stale page
  // would; the server refuses, and the field goes back to what the cart holds.
  await notebook.getByTestId("line-quantity").evaluate((input) => input.removeAttribute("max"));
  await notebook.getByTestId("line-quantity").fill("150");
  await notebook.getByTestId("line-update").click();
  await expect(notebook.getByTestId("control-note")).toHaveText("That's more than we can put on one line. Please choose a smaller quantity.");
  await expect(status(page)).toHaveText("That's more than we can put on one line. Please choose a smaller quantity.");
  await expect(notebook.getByTestId("line-quantity")).toHaveValue("1");
  await expect(cartCount(page)).toHaveText("1");

  // At the maximum, one more from the product page is refused: the count rolls back and the add button says why.
  await notebook.getByTestId("line-quantity").fill("99");
  await notebook.getByTestId("line-update").click();
  await expect(cartCount(page)).toHaveText("99");
  await page.goto("/products/notebook-a5");
  await hydrated(page);
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("control-note")).toHaveText("That's more than we can put on one line. Please choose a smaller quantity.");
  await expect(drawer(page)).toHaveCount(0);
  await expect(cartCount(page)).toHaveText("99");
});
