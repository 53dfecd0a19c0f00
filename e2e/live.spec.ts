import { expect, test, type Browser, type Page } from "@playwright/test";
import { addFromProductPage, cartCount, hydrated, line, PASSWORD, signIn } from "./helpers";

// The same cart everywhere, at once: two browser contexts (two devices) of one signed-in
// user follow the cart over GET /api/cart/live; a change on one shows on the other without
// a reload. The delay is measured and recorded as an annotation (the target is under a
// second; a test asserts the convergence, not the clock). Needs the server's live route.
async function device(browser: Browser, baseURL: string | undefined, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email);
  await hydrated(page);
  return page;
}

test("two browser contexts of one signed-in user converge within a second", async ({ browser, request, baseURL }, testInfo) => {
  const email = `e2e-live-${Date.now()}-${Math.random()}@example.com`;
  expect((await request.post("/api/auth/register", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const laptop = await device(browser, baseURL, email);
  const phone = await device(browser, baseURL, email);
  // Both follow the cart over the event stream (not the polling fallback).
  await expect(laptop.getByTestId("cart-status")).toHaveAttribute("data-live", "live");
  await expect(phone.getByTestId("cart-status")).toHaveAttribute("data-live", "live");
  const phoneDocument = await phone.evaluate(() => ((window as unknown as { __device: string }).__device = "phone"));

  // An add on the laptop reaches the phone.
  await addFromProductPage(laptop, "tee-black-m", 2, "Added 2 × Organic Tee, Black, M to your cart");
  const added = Date.now();
  await expect(cartCount(phone)).toHaveText("2");
  const addSeen = Date.now();

  // A change on the phone's cart page reaches the laptop.
  await phone.goto("/cart");
  await hydrated(phone);
  await expect(phone.getByTestId("cart-status")).toHaveAttribute("data-live", "live");
  await line(phone, "sku-tee-black-m").getByTestId("line-increase").click();
  await expect(phone.getByRole("status")).toHaveText("Organic Tee, Black, M: quantity is now 3");
  const changed = Date.now();
  await expect(cartCount(laptop)).toHaveText("3");
  const changeSeen = Date.now();
  // Announced politely on the device that did not make the change.
  await expect(laptop.getByRole("status")).toHaveText("Your cart was updated");
  await expect(laptop.getByRole("status")).toHaveAttribute("aria-live", "polite");
  expect(phoneDocument).toBe("phone");

  testInfo.annotations.push(
    { type: "laptop → phone", description: `${addSeen - added} ms after the add was announced` },
    { type: "phone → laptop", description: `${changeSeen - changed} ms after the change was announced` },
  );
  console.log(`[live] laptop → phone ${addSeen - added} ms, phone → laptop ${changeSeen - changed} ms`);
});

test("a page signed out in another tab of its browser says so", async ({ browser, request, baseURL }) => {
  const email = `e2e-live-out-${Date.now()}-${Math.random()}@example.com`;
  expect((await request.post("/api/auth/register", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const laptop = await device(browser, baseURL, email);
  const phone = await device(browser, baseURL, email);
  await expect(phone.getByTestId("cart-status")).toHaveAttribute("data-live", "live");
  // Signed out elsewhere, with this page left open: another tab of the phone signs out (its
  // session rotates; the stream of this page hears `rotated`, finds itself signed out, says so
  // and refreshes). The laptop, another session of the same user, stays signed in.
  const phoneTab = await phone.context().newPage();
  await phoneTab.goto("/cart");
  await hydrated(phoneTab);
  await phoneTab.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(phoneTab.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(phone.getByTestId("session-notice")).toHaveText(/You were signed out in another tab or window/);
  await expect(phone.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(laptop.getByTestId("account-email")).toContainText(email);
});
