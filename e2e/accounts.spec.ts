import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { PASSWORD, signIn } from "./helpers";

// Accounts: sign-up, sign-in (the guest cart joins the account's cart), sign-out,
// the same cart on a second device, and recovery links. Every test uses its
// own fresh browser contexts and its own new account.

const uniqueEmail = () => `e2e-${Date.now()}-${Math.random()}@example.com`;

/** Waits until React has hydrated, so clicks run the enhanced (JavaScript) forms. */
async function hydrated(page: Page) {
  await expect(page.getByTestId("cart-status")).toHaveAttribute("data-hydrated", "true");
}

const cartCount = (page: Page) => page.getByTestId("cart-count");
const line = (page: Page, productId: string) => page.locator(`[data-testid="cart-line"][data-product-id="${productId}"]`);
const quantityOf = (page: Page, productId: string) => line(page, productId).getByTestId("line-quantity");
const signInLink = (page: Page) => page.getByRole("banner").getByRole("link", { name: "Sign in" });
const signOutButton = (page: Page) => page.getByRole("banner").getByRole("button", { name: "Sign out" });

async function register(request: APIRequestContext, email: string) {
  const response = await request.post("/api/auth/register", { data: { email, password: PASSWORD } });
  expect(response.status()).toBe(201);
}

async function addFromProductPage(page: Page, slug: string, quantity: number, announcement: string) {
  await page.goto(`/products/${slug}`);
  await hydrated(page);
  await page.getByLabel("Quantity").selectOption(String(quantity));
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByRole("status")).toHaveText(announcement);
  // The add opened the cart drawer (a modal dialog); Escape closes it.
  await expect(page.getByRole("dialog", { name: "Your cart" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
}

/** Signs in through /signin; with JavaScript, waits for hydration so the form posts through React. */
async function newContextPage(browser: Browser, baseURL: string | undefined, javaScriptEnabled = true) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled });
  return { context, page: await context.newPage() };
}

test("a guest's cart joins the account's cart on sign-in, with a notice shown once", async ({ page, request }) => {
  const email = uniqueEmail();
  await register(request, email);

  await addFromProductPage(page, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await addFromProductPage(page, "mug-stoneware", 2, "Added 2 × Stoneware Mug, Speckled to your cart");
  await expect(cartCount(page)).toHaveText("3");
  await expect(signInLink(page)).toBeVisible();

  await signIn(page, email);

  // Landed on the cart: the guest's items are the account's now, and the page says so.
  const banner = page.getByTestId("merged-banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("from your earlier visit");
  await expect(page.getByText("from your earlier visit")).toHaveCount(1);
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  await expect(quantityOf(page, "sku-tee-black-m")).toHaveValue("1");
  await expect(quantityOf(page, "sku-mug-stoneware")).toHaveValue("2");
  await expect(cartCount(page)).toHaveText("3");
  await expect(signOutButton(page)).toBeVisible();

  // Shown once: a reload keeps the items and drops the notice.
  await page.reload();
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  await expect(quantityOf(page, "sku-mug-stoneware")).toHaveValue("2");
  await expect(page.getByTestId("account-email")).toContainText(email);
  await expect(page.getByTestId("merged-banner")).toHaveCount(0);
  await expect(page.getByText("from your earlier visit")).toHaveCount(0);
});

test("a merge that goes past the per-line maximum is capped and explained", async ({ page, request }) => {
  const email = uniqueEmail();
  await register(request, email);

  // The account already holds 98 notebooks.
  await signIn(page, email);
  const added = await page.request.post("/api/cart/items", { data: { productId: "sku-notebook-a5", quantity: 98 } });
  expect(added.status()).toBe(200);
  await hydrated(page);
  await signOutButton(page).click();
  await expect(signInLink(page)).toBeVisible();
  await expect(cartCount(page)).toHaveText("0");

  // As a guest, 5 more.
  await addFromProductPage(page, "notebook-a5", 5, "Added 5 × Dot-Grid Notebook, A5 to your cart");
  await signIn(page, email);

  await expect(page.getByTestId("merged-banner")).toContainText("capped at 99");
  const capped = page.locator('[data-testid="cart-notice"][data-notice-type="quantity_capped"]');
  await expect(capped).toHaveText("We reduced Dot-Grid Notebook, A5 from 103 to 99, the most we can sell on one line.");
  await expect(quantityOf(page, "sku-notebook-a5")).toHaveValue("99");
  await expect(cartCount(page)).toHaveText("99");

  await page.reload();
  await expect(capped).toHaveCount(0);
  await expect(quantityOf(page, "sku-notebook-a5")).toHaveValue("99");
});

test("signing up signs in; signing out leaves an empty guest cart, and signing in brings the cart back", async ({ page }) => {
  const email = uniqueEmail();

  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByTestId("account-email")).toContainText(email);
  await expect(page.getByTestId("cart-empty")).toBeVisible();

  await addFromProductPage(page, "cap-black", 1, "Added Six-Panel Cap, Black to your cart");
  await expect(cartCount(page)).toHaveText("1");

  await signOutButton(page).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(signInLink(page)).toBeVisible();
  await expect(page.getByTestId("account-email")).toHaveCount(0);
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  await expect(cartCount(page)).toHaveText("0");
  await page.reload();
  await expect(signInLink(page)).toBeVisible();
  await expect(cartCount(page)).toHaveText("0");

  // The account's cart is kept for the next sign-in.
  await signIn(page, email);
  await expect(quantityOf(page, "sku-cap-black")).toHaveValue("1");
  await expect(page.getByTestId("merged-banner")).toHaveCount(0);
});

test("a second device signed in as the same shopper sees the same cart", async ({ page, request, browser, baseURL }) => {
  const email = uniqueEmail();
  await register(request, email);

  await signIn(page, email);
  await addFromProductPage(page, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
  await addFromProductPage(page, "mug-stoneware", 3, "Added 3 × Stoneware Mug, Speckled to your cart");

  const other = await newContextPage(browser, baseURL);
  try {
    await signIn(other.page, email);
    await expect(other.page.getByTestId("cart-line")).toHaveCount(2);
    await expect(quantityOf(other.page, "sku-tee-black-m")).toHaveValue("2");
    await expect(quantityOf(other.page, "sku-mug-stoneware")).toHaveValue("3");
    await expect(cartCount(other.page)).toHaveText("5");
    // Nothing was merged: the second device had no guest cart.
    await expect(other.page.getByTestId("merged-banner")).toHaveCount(0);

    // A change on the second device is there on the first after a reload.
    await hydrated(other.page);
    await line(other.page, "sku-mug-stoneware").getByTestId("line-remove").click();
    await expect(other.page.getByRole("status")).toHaveText("Removed Stoneware Mug, Speckled from your cart");
    await page.goto("/cart");
    await expect(page.getByTestId("cart-line")).toHaveCount(1);
    await expect(quantityOf(page, "sku-tee-black-m")).toHaveValue("2");
  } finally {
    await other.context.close();
  }
});

test("wrong passwords and taken emails are explained in plain words", async ({ page, request, browser, baseURL }) => {
  const email = uniqueEmail();
  await register(request, email);

  await page.goto("/signin?returnTo=/products/cap-black");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    "That email and password don't match an account. Check them and try again.",
  );
  await expect(page).toHaveURL(/\/signin\?error=CredentialsSignin/);
  await expect(signInLink(page)).toBeVisible();

  // The page still knows where to go afterwards.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/products\/cap-black$/);
  await expect(page.getByTestId("account-email")).toContainText(email);

  // Another host is never a place to return to.
  const other = await newContextPage(browser, baseURL);
  try {
    const guest = other.page;
    await guest.goto("/signup?returnTo=//evil.example/steal");
    await expect(guest.locator('input[name="returnTo"]')).toHaveValue("/cart");
    await hydrated(guest);
    await guest.getByLabel("Email").fill(email);
    await guest.getByLabel("Password").fill(PASSWORD);
    await guest.getByRole("button", { name: "Create account" }).click();
    await expect(guest.getByRole("main").getByRole("alert")).toContainText("An account with that email already exists.");
    await expect(guest.getByRole("main").getByRole("alert").getByRole("link", { name: "Sign in instead" })).toBeVisible();
    await expect(guest).toHaveURL(/\/signup\?error=EMAIL_TAKEN/);
  } finally {
    await other.context.close();
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in and out are plain form posts", async ({ page, request }) => {
    const email = uniqueEmail();
    await register(request, email);

    await page.goto("/products/tee-black-m");
    await page.getByLabel("Quantity").selectOption("2");
    await page.getByTestId("add-to-cart").click();
    await expect(cartCount(page)).toHaveText("2");

    await signInLink(page).click();
    await expect(page).toHaveURL(/\/signin\?returnTo=%2Fproducts%2Ftee-black-m$/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();

    // Back where the shopper was, with the merged cart and the notice.
    await expect(page).toHaveURL(/\/products\/tee-black-m$/);
    await expect(page.getByTestId("account-email")).toContainText(email);
    await expect(page.getByTestId("merged-banner")).toContainText("from your earlier visit");
    await expect(cartCount(page)).toHaveText("2");

    await page.goto("/cart");
    await expect(quantityOf(page, "sku-tee-black-m")).toHaveValue("2");
    await expect(page.getByTestId("merged-banner")).toHaveCount(0);

    await signOutButton(page).click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(signInLink(page)).toBeVisible();
    await expect(page.getByTestId("cart-empty")).toBeVisible();
    await expect(cartCount(page)).toHaveText("0");

    // A wrong password comes back with the reason, also without JavaScript.
    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("auth-error")).toContainText("don't match an account");

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(quantityOf(page, "sku-tee-black-m")).toHaveValue("2");
  });
});

/** Makes a recovery link on the cart page and returns it (copied through the clipboard). */
async function makeRecoveryLink(page: Page): Promise<string> {
  await page.goto("/cart");
  await hydrated(page);
  const recovery = page.getByRole("region", { name: "Continue on another device" });
  await recovery.getByRole("button", { name: "Create a link" }).click();
  const urlField = recovery.getByLabel("Link to this cart");
  await expect(urlField).toHaveValue(/\/cart\/recover\?token=/);
  const url = await urlField.inputValue();
  await recovery.getByRole("button", { name: "Copy" }).click();
  await expect(recovery.getByTestId("recovery-status")).toHaveText("Link copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  return url;
}

const recoverLine = (page: Page, productId: string) => page.locator(`[data-testid="recover-line"][data-product-id="${productId}"]`);

/**
 * Opens a recovery link in a fresh browser: the page lists the snapshot and
 * nothing changes (no cookie at all) until "Add to my cart" is pressed.
 */
async function openAndConfirm(browser: Browser, baseURL: string | undefined, url: string, javaScriptEnabled: boolean) {
  const other = await newContextPage(browser, baseURL, javaScriptEnabled);
  try {
    await other.page.goto(url);
    await expect(other.page.getByRole("heading", { level: 1 })).toHaveText("Add these items to your cart?");
    await expect(other.page.getByTestId("recover-summary")).toHaveText("3 items: Six-Panel Cap, Black × 1, Stoneware Mug, Speckled × 2");
    await expect(other.page.getByTestId("recover-line")).toHaveCount(2);
    await expect(recoverLine(other.page, "sku-mug-stoneware")).toContainText("× 2");
    await expect(cartCount(other.page)).toHaveText("0");
    // Opening the link wrote nothing: not even a session cookie.
    expect(await other.context.cookies()).toEqual([]);

    await other.page.getByRole("button", { name: "Add to my cart" }).click();
    await expect(other.page).toHaveURL(/\/cart\?restored=1$/);
    await expect(other.page.getByTestId("cart-restored")).toContainText("Your saved cart is here.");
    await expect(other.page.getByTestId("cart-line")).toHaveCount(2);
    await expect(quantityOf(other.page, "sku-cap-black")).toHaveValue("1");
    await expect(quantityOf(other.page, "sku-mug-stoneware")).toHaveValue("2");
    await expect(cartCount(other.page)).toHaveText("3");
    return other;
  } catch (err) {
    await other.context.close();
    throw err;
  }
}

test("a recovery link shows a guest's cart on another device and adds it only when asked; a tampered link is refused", async ({ page, browser, baseURL }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await addFromProductPage(page, "cap-black", 1, "Added Six-Panel Cap, Black to your cart");
  await addFromProductPage(page, "mug-stoneware", 2, "Added 2 × Stoneware Mug, Speckled to your cart");
  const url = await makeRecoveryLink(page);
  // A line added after the link was made never reaches it; a new link (any time) is another snapshot.
  await addFromProductPage(page, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await page.goto("/cart");
  await hydrated(page);
  const recovery = page.getByRole("region", { name: "Continue on another device" });
  await recovery.getByRole("button", { name: "Create a link" }).click();
  await expect(recovery.getByLabel("Link to this cart")).toHaveValue(/\/cart\/recover\?token=/);
  const newer = await recovery.getByLabel("Link to this cart").inputValue();
  await recovery.getByRole("button", { name: "Make a new link" }).click();
  await expect(recovery.getByLabel("Link to this cart")).not.toHaveValue(newer);
  expect(newer).not.toBe(url);

  const other = await openAndConfirm(browser, baseURL, url, true);
  try {
    await expect(line(other.page, "sku-tee-black-m")).toHaveCount(0);
    // Opening the link again shows it, and pressing again changes nothing.
    await other.page.goto(url);
    await other.page.getByRole("button", { name: "Add to my cart" }).click();
    await expect(other.page).toHaveURL(/\/cart\?restored=again$/);
    await expect(cartCount(other.page)).toHaveText("3");

    // One character changed in the sealed token: not valid.
    const link = new URL(url);
    const token = link.searchParams.get("token") ?? "";
    const at = Math.floor(token.length / 2);
    link.searchParams.set("token", token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1));
    await other.page.goto(link.toString());
    await expect(other.page).toHaveURL(/\/cart\/recover\/failed\?reason=invalid$/);
    await expect(other.page.getByRole("heading", { level: 1 })).toHaveText("This cart link is not valid");
    await expect(cartCount(other.page)).toHaveText("3");
  } finally {
    await other.context.close();
  }
});

test("a recovery link works without JavaScript on the opening device", async ({ page, browser, baseURL }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await addFromProductPage(page, "cap-black", 1, "Added Six-Panel Cap, Black to your cart");
  await addFromProductPage(page, "mug-stoneware", 2, "Added 2 × Stoneware Mug, Speckled to your cart");
  const url = await makeRecoveryLink(page);
  const other = await openAndConfirm(browser, baseURL, url, false);
  await other.context.close();
});
