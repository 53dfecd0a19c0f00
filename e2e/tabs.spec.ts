import { expect, test } from "@playwright/test";
import { addFromProductPage, cartCount, hydrated, line, status } from "./helpers";

// Two tabs of one browser (two pages of one context share the cookie): a
// change in one reaches the other over BroadcastChannel, without a reload and
// without polling. The delay is recorded as an annotation (the brief asks for
// under a second; a test asserts the convergence, not the clock).
test("a change in one tab shows in the other without a reload", async ({ context }, testInfo) => {
  const first = await context.newPage();
  const second = await context.newPage();

  // A first add in tab 1 while tab 2 still shows the never-written cart.
  await second.goto("/cart");
  await hydrated(second);
  await expect(second.getByTestId("cart-empty")).toBeVisible();
  await addFromProductPage(first, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await expect(cartCount(second)).toHaveText("1");
  await expect(line(second, "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("1");

  // Then a change from tab 2's cart page reaches tab 1's drawer.
  const marker = await first.evaluate(() => ((window as unknown as { __tab: number }).__tab = 1));
  const started = Date.now();
  await line(second, "sku-tee-black-m").getByTestId("line-increase").click();
  await expect(status(second)).toHaveText("Organic Tee, Black, M: quantity is now 2");
  const committed = Date.now();
  await expect(cartCount(first)).toHaveText("2");
  const converged = Date.now();
  await expect(line(first.getByTestId("cart-drawer"), "sku-tee-black-m").getByTestId("line-quantity")).toHaveValue("2");
  // Still the same document: no reload brought the change.
  expect(await first.evaluate(() => (window as unknown as { __tab?: number }).__tab)).toBe(marker);

  testInfo.annotations.push({
    type: "tab convergence",
    description: `${converged - committed} ms after the commit was announced (${converged - started} ms after the click)`,
  });
});
