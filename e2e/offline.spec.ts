import { expect, test, type Page, type Request } from "@playwright/test";
import { addFromProductPage, cartCount, drawer, hydrated, status } from "./helpers";

// Changes made offline are kept: queued in localStorage with their Idempotency-Keys, shown at
// once, said to be saved later, and sent in order when the connection returns — each applied
// exactly once, also after a reload and when a request reached the server but its answer was lost.
const OFFLINE = "Offline — your changes will be saved when you're back online";
const isCartAction = (request: Request) => request.method() === "POST" && request.headers()["next-action"] !== undefined;

async function serverQuantity(page: Page, productId: string): Promise<number | undefined> {
  const response = await page.request.get("/api/cart");
  const cart = (await response.json()) as { items: { productId: string; quantity: number }[] };
  return cart.items.find((item) => item.productId === productId)?.quantity;
}

const queued = (page: Page) =>
  page.evaluate(() =>
    Object.keys(window.localStorage)
      .filter((key) => key.startsWith("next-cart:outbox:"))
      .flatMap((key) => (JSON.parse(window.localStorage.getItem(key) ?? "{}") as { entries?: { key: string; op: unknown }[] }).entries ?? []),
  );

test("offline: changes are queued, survive a reload and a lost answer, and apply exactly once when back online", async ({ page, context }) => {
  // The cart (and its session cookie) exist before the connection drops.
  await addFromProductPage(page, "tee-black-m", 1, "Added Organic Tee, Black, M to your cart");
  await page.keyboard.press("Escape");
  await expect(drawer(page)).toHaveCount(0);

  await context.setOffline(true);
  for (let i = 0; i < 2; i += 1) {
    await page.getByTestId("add-to-cart").click();
    await page.keyboard.press("Escape");
  }
  // Shown at once, and said to be saved later.
  await expect(cartCount(page)).toHaveText("3");
  await expect(page.getByTestId("cart-offline")).toHaveText(OFFLINE);
  const waiting = await queued(page);
  // Folded into one change unless the first left before the browser knew it was offline.
  expect(waiting.length).toBeGreaterThanOrEqual(1);
  expect(waiting.reduce((sum, entry) => sum + ((entry.op as { quantity?: number }).quantity ?? 0), 0)).toBe(2);

  // Back online, but the first request's answer is lost: the server applies it, the browser
  // never hears. Every request after it fails on the network, so the change stays queued.
  let first = true;
  let reachedServer = 0;
  await page.route("**/*", async (route) => {
    if (!isCartAction(route.request())) return route.continue();
    if (first) {
      first = false;
      await route.fetch();
      await route.abort("connectionreset");
      reachedServer += 1;
      return;
    }
    await route.abort("connectionreset");
  });
  await context.setOffline(false);
  await expect.poll(() => reachedServer).toBe(1);
  await expect.poll(() => serverQuantity(page, "sku-tee-black-m")).toBe(1 + ((waiting[0]?.op as { quantity: number }).quantity));
  expect((await queued(page)).map((entry) => entry.key)).toEqual(waiting.map((entry) => entry.key));

  // A reload with the change still queued: it is shown and sent again with its key; the
  // server replays the first outcome instead of adding twice.
  await page.unrouteAll({ behavior: "ignoreErrors" });
  const sent: Request[] = [];
  page.on("request", (request) => {
    if (isCartAction(request)) sent.push(request);
  });
  await page.reload();
  await hydrated(page);
  await expect.poll(async () => (await queued(page)).length).toBe(0);
  await expect(cartCount(page)).toHaveText("3");
  expect(sent.length).toBeGreaterThanOrEqual(1);
  expect(await serverQuantity(page, "sku-tee-black-m")).toBe(3);
  await expect(page.getByTestId("cart-offline")).toHaveCount(0);
});

test("a queued change the server refuses (the product was withdrawn meanwhile) rolls back visibly, with the contract's message", async ({ page }) => {
  await addFromProductPage(page, "mug-stoneware", 1, "Added Stoneware Mug, Speckled to your cart");
  await page.keyboard.press("Escape");
  // A tab closed while offline left an add queued; the product has been withdrawn since
  // (the demo's retired scarf). The next page adopts the queue and sends it.
  await page.evaluate(() => {
    const entry = {
      key: `withdrawn-${Date.now()}`,
      action: "add",
      op: { type: "add", productId: "sku-scarf-plaid", quantity: 1, product: { name: "Brushed Scarf, Plaid", unitPrice: 4200, slug: "scarf-plaid", image: "" } },
      fields: { productId: "sku-scarf-plaid", quantity: "1", returnTo: "/cart" },
      line: "sku-scarf-plaid",
      sent: false,
      control: "add:sku-scarf-plaid",
    };
    window.localStorage.setItem("next-cart:outbox:/api:closed-tab", JSON.stringify({ v: 1, savedAt: Date.now() - 120_000, entries: [entry] }));
  });
  await page.goto("/cart");
  await hydrated(page);
  await expect(status(page)).toHaveText("Sorry, that product is no longer available.");
  await expect(page.locator('[data-testid="cart-line"][data-product-id="sku-scarf-plaid"]')).toHaveCount(0);
  await expect(cartCount(page)).toHaveText("1");
  await expect.poll(async () => (await queued(page)).length).toBe(0);
  expect(await serverQuantity(page, "sku-scarf-plaid")).toBeUndefined();
});
