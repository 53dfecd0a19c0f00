import { expect, test, type Page } from "@playwright/test";
import { addFromProductPage, cartCount, drawer, hydrated, status } from "./helpers";

// Line properties (the demo's engraved mug) and the checkout handoff: "Checkout" on the cart
// page and in the drawer → the review page of the checkout's snapshot → "Place order" (a demo
// order completing the checkout through the module's server API) → the confirmation page, and
// the shopper's cart starts again empty.
const mugLines = (page: Page) => page.locator('[data-testid="cart-line"][data-product-id="sku-mug-stoneware"]');

async function engraveMug(page: Page, engraving: string, withJavaScript = true) {
  await page.goto("/products/mug-stoneware");
  if (withJavaScript) await hydrated(page);
  await page.getByTestId("engraving").fill(engraving);
  await page.getByTestId("add-to-cart").click();
}

test("an engraved mug is its own line, and the order goes through checkout to a confirmation", async ({ page }) => {
  await engraveMug(page, "For Ada");
  await expect(drawer(page)).toBeVisible();
  await expect(drawer(page).getByTestId("line-properties")).toContainText("For Ada");
  await expect(status(page)).toHaveText("Added Stoneware Mug, Speckled to your cart");
  await expect(cartCount(page)).toHaveText("1");
  await addFromProductPage(page, "mug-stoneware", 2, "Added 2 × Stoneware Mug, Speckled to your cart");
  await expect(cartCount(page)).toHaveText("3");

  await page.goto("/cart");
  await expect(mugLines(page)).toHaveCount(2);
  const engraved = mugLines(page).filter({ has: page.getByTestId("line-properties") });
  await expect(engraved.getByTestId("line-properties")).toContainText("Engraving");
  await expect(engraved.getByTestId("line-properties")).toContainText("For Ada");
  await expect(engraved.getByTestId("line-quantity")).toHaveValue("1");

  await page.getByTestId("cart-checkout").click();
  await expect(page).toHaveURL(/\/checkout$/);
  const review = page.getByTestId("checkout-review");
  await expect(review.getByTestId("checkout-line")).toHaveCount(2);
  await expect(review).toContainText("For Ada");
  await expect(page.getByTestId("checkout-subtotal")).toHaveText("$66.00");

  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/checkout\/confirmation$/);
  await expect(page.getByTestId("order-id")).toHaveText(/^order-[0-9a-f]{12}$/);
  await expect(page.getByTestId("confirmation-line")).toHaveCount(2);
  await expect(cartCount(page)).toHaveText("0");
  await page.goto("/cart");
  await expect(page.getByTestId("cart-empty")).toBeVisible();
});

test("the drawer's Checkout opens the review; Back to cart cancels and leaves the cart as it was", async ({ page }) => {
  await addFromProductPage(page, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
  await drawer(page).getByTestId("cart-checkout").click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId("checkout-line")).toHaveCount(1);
  await page.getByTestId("checkout-cancel").click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(cartCount(page)).toHaveText("2");
  await page.goto("/checkout");
  await expect(page.getByTestId("checkout-none")).toBeVisible();
});

// The server's cart as the page's browser has it (its cookies).
const serverNote = async (page: Page) => ((await (await page.request.get("/api/cart")).json()) as { note: string | null }).note;

test("the cart page sets and removes the note to the store through the provider", async ({ page }) => {
  await addFromProductPage(page, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await page.goto("/cart");
  await hydrated(page);
  const note = page.getByTestId("cart-note-input");
  await expect(note).toHaveValue("");
  await expect(page.getByTestId("cart-note-clear")).toHaveCount(0);
  await note.fill("Please gift wrap the tee");
  await page.getByTestId("cart-note-save").click();
  await expect(status(page)).toHaveText("Your note was saved");
  await expect(page).toHaveURL(/\/cart$/);
  expect(await serverNote(page)).toBe("Please gift wrap the tee");
  await page.reload();
  await expect(note).toHaveValue("Please gift wrap the tee");
  await hydrated(page);
  await page.getByTestId("cart-note-clear").click();
  await expect(status(page)).toHaveText("Your note was removed");
  await expect(note).toHaveValue("");
  expect(await serverNote(page)).toBeNull();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sets and removes the cart's note with plain form posts", async ({ page }) => {
    await page.goto("/products/tee-black-m");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("1");
    await page.goto("/cart");
    const note = page.getByTestId("cart-note-input");
    await note.fill("Leave it with the neighbour");
    await page.getByTestId("cart-note-save").click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(note).toHaveValue("Leave it with the neighbour");
    expect(await serverNote(page)).toBe("Leave it with the neighbour");
    await page.getByTestId("cart-note-clear").click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(note).toHaveValue("");
    await expect(page.getByTestId("cart-note-clear")).toHaveCount(0);
    expect(await serverNote(page)).toBeNull();
  });

  test("engraves, checks out and places the order with plain form posts", async ({ page }) => {
    await engraveMug(page, "For Grace", false);
    await expect(page).toHaveURL(/\/products\/mug-stoneware$/);
    await expect(cartCount(page)).toHaveText("1");
    await page.goto("/cart");
    await expect(mugLines(page).getByTestId("line-properties")).toContainText("For Grace");
    await page.getByTestId("cart-checkout").click();
    await expect(page).toHaveURL(/\/checkout$/);
    await expect(page.getByTestId("checkout-review")).toContainText("For Grace");
    await page.getByTestId("place-order").click();
    await expect(page).toHaveURL(/\/checkout\/confirmation$/);
    await expect(page.getByTestId("order-id")).toBeVisible();
    await expect(cartCount(page)).toHaveText("0");
  });
});
