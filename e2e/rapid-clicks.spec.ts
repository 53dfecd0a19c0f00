import { expect, test, type Page, type Request } from "@playwright/test";
import { MIN_SPACING_MS } from "../lib/react/outbox";
import { addFromProductPage, hydrated, line, status } from "./helpers";

// Rapid clicks coalesced: the provider keeps one request in flight per cart and folds
// the clicks made meanwhile into the next one. Requests are counted in the browser
// (server action posts carry a Next-Action header); how long the clicking took is recorded,
// not asserted.
const isCartAction = (request: Request) => request.method() === "POST" && request.headers()["next-action"] !== undefined;

async function serverQuantity(page: Page, productId: string): Promise<number | undefined> {
  const response = await page.request.get("/api/cart");
  expect(response.status()).toBe(200);
  const cart = (await response.json()) as { items: { productId: string; quantity: number }[] };
  return cart.items.find((item) => item.productId === productId)?.quantity;
}

// Settled: nothing queued or in flight (the status line carries the queue's length while busy).
async function settled(page: Page) {
  await expect(page.getByTestId("cart-status")).not.toHaveAttribute("data-pending", /.+/);
}

// Clicks "+" of the tee's line `count` times, the i-th at 40·i ms after the first by the page's
// clock (a click late by a stall is made as soon as it can be, the rest keep their slots); returns the span
// from the first click to the last.
async function clickInPage(page: Page, count: number): Promise<number> {
  return page.evaluate(async (clicks) => {
    const begin = performance.now();
    for (let i = 0; i < clicks; i += 1) {
      // Always a task of its own, as a shopper's clicks are (React renders between them).
      const wait = Math.max(0, begin + i * 40 - performance.now());
      await new Promise((resolve) => setTimeout(resolve, wait));
      document.querySelector<HTMLButtonElement>('[data-product-id="sku-tee-black-m"] [data-testid="line-increase"]')?.click();
    }
    return Math.round(performance.now() - begin);
  }, count);
}

// A burst's requests leave at least MIN_SPACING_MS apart, and each after the first carries a click
// made after the one before it left: clicks spanning `span` ms cost at most ceil(span / spacing) + 1
// requests — 3 for 50 clicks within 2 s (the target). A page stalled past 2 s is held to the same rule.
function mostRequests(span: number): number {
  return Math.ceil(span / MIN_SPACING_MS) + 1;
}

test('50 clicks on "+" within 2 s become at most 3 requests, and the server has the exact quantity, capped at the limit', async ({ page }, testInfo) => {
  await addFromProductPage(page, "tee-black-m", 10, "Added 10 × Organic Tee, Black, M to your cart");
  await page.goto("/cart");
  await hydrated(page);
  const row = line(page, "sku-tee-black-m");
  const plus = row.getByTestId("line-increase");
  const quantity = row.getByTestId("line-quantity");
  await expect(quantity).toHaveValue("10");

  const requests: Request[] = [];
  page.on("request", (request) => {
    if (isCartAction(request)) requests.push(request);
  });

  // 50 clicks in 2 s, clicked in the page on a fixed schedule (one every 40 ms by the page's own
  // clock: on a busy machine, Playwright's per-click round trips would space them out over seconds).
  const started = Date.now();
  const pageTook = await clickInPage(page, 50);
  const clicked = Date.now();
  // Every click shows at once.
  await expect(quantity).toHaveValue("60");
  await expect(status(page)).toHaveText("Organic Tee, Black, M: quantity is now 60");
  await settled(page);
  testInfo.annotations.push({ type: "50 clicks", description: `${pageTook} ms of clicking in the page (${clicked - started} ms seen by the test), ${requests.length} requests` });
  console.log(`[rapid clicks] 50 clicks in ${pageTook} ms: ${requests.length} requests`);
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.length).toBeLessThanOrEqual(mostRequests(pageTook));
  expect(await serverQuantity(page, "sku-tee-black-m")).toBe(60);

  // 50 more: the line stops at the per-line limit (99), the "+" is disabled there, and the
  // server holds exactly 99. Clicked in the page on the same schedule (a disabled button ignores them).
  requests.length = 0;
  const cappedTook = await clickInPage(page, 50);
  await expect(quantity).toHaveValue("99");
  await expect(plus).toBeDisabled();
  await settled(page);
  console.log(`[rapid clicks] 50 more in ${cappedTook} ms, capped at 99: ${requests.length} requests`);
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.length).toBeLessThanOrEqual(mostRequests(cappedTook));
  expect(await serverQuantity(page, "sku-tee-black-m")).toBe(99);
});

test("adds past the per-line limit are capped, with the contract's message", async ({ page }) => {
  await addFromProductPage(page, "mug-stoneware", 10, "Added 10 × Stoneware Mug, Speckled to your cart");
  await page.goto("/products/mug-stoneware");
  await hydrated(page);
  // Nine adds of 10 on top of 10: 99 fit, the rest is refused at once.
  const requests: Request[] = [];
  page.on("request", (request) => {
    if (isCartAction(request)) requests.push(request);
  });
  await page.getByLabel("Quantity").selectOption("10");
  for (let i = 0; i < 9; i += 1) {
    await page.getByTestId("add-to-cart").click();
    if (await page.getByRole("dialog").count()) await page.keyboard.press("Escape");
  }
  await expect(page.getByTestId("control-note")).toHaveText("That's more than we can put on one line. Please choose a smaller quantity.");
  await expect(page.getByTestId("cart-count")).toHaveText("99");
  await settled(page);
  expect(await serverQuantity(page, "sku-mug-stoneware")).toBe(99);
  // Clicks a request's round trip apart fold into fewer requests, or none: never more than one
  // each (the ninth sends only what fits, up to 99, and says why the rest did not).
  console.log(`[rapid clicks] nine adds of 10, capped at 99: ${requests.length} requests`);
  expect(requests.length).toBeLessThanOrEqual(9);
});
