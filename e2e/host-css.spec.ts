import { expect, test, type Locator, type Page, type Request } from "@playwright/test";
import { drawer, hydrated, status } from "./helpers";

// Components that fit any host: under a stranger's aggressive global CSS (app/host-check/hostile.css:
// `header a { color: #fff }`, `button { all: unset }`, `h2 { display: none }`, …) the badge and the
// drawer stay readable; a catalog without images gets no image column; and no request goes to a
// product page the host did not define. Checked with computed styles.

type Computed = Record<string, string> & { width: number; height: number };

const style = (locator: Locator, ...properties: string[]): Promise<Computed> =>
  locator.evaluate((element, names) => {
    const computed = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const values: Record<string, string> = Object.fromEntries(names.map((name) => [name, computed.getPropertyValue(name)]));
    return { ...values, width: box.width, height: box.height } as Record<string, string> & { width: number; height: number };
  }, properties);

// Relative luminance contrast of two rgb() colours (WCAG).
function contrast(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) throw new Error("no colour");
  const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const luminance = (color: string) => {
    const [r, g, b2] = channels(color).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b2!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const productPageRequests = (page: Page) => {
  const seen: string[] = [];
  page.on("request", (request: Request) => {
    const url = new URL(request.url());
    // A product page (its document or its RSC payload), not a product's image.
    if (/^\/products\/[^/.]+$/.test(url.pathname) && request.resourceType() !== "image") seen.push(url.pathname);
  });
  return seen;
};

test("under hostile global CSS the badge and the drawer stay readable", async ({ page }) => {
  const productPages = productPageRequests(page);
  await page.goto("/host-check");
  await hydrated(page);
  // The host's rules are really in force on its own elements.
  expect((await style(page.locator("main h2"), "display")).display).toBe("none");

  const badge = page.getByTestId("cart-link");
  const link = await style(badge, "color", "background-color", "display", "visibility");
  // A flex item of the host's nav: inline-flex computes as flex there.
  expect(["flex", "inline-flex"]).toContain(link.display);
  expect(link.width).toBeGreaterThan(20);
  expect(link.visibility).toBe("visible");
  expect(contrast(link.color, link["background-color"]!)).toBeGreaterThan(4.5);
  const icon = await style(badge.locator(".nc-badge-icon"), "display", "color");
  expect(icon.display).toBe("block");
  expect(icon.width).toBeGreaterThan(10);
  expect(contrast(icon.color, link["background-color"]!)).toBeGreaterThan(4.5);
  const label = await style(badge.locator(".nc-badge-label"), "color");
  expect(contrast(label.color, link["background-color"]!)).toBeGreaterThan(4.5);

  await page.getByTestId("add-to-cart").click();
  await expect(drawer(page)).toBeVisible();
  await expect(status(page)).toHaveText("Added Organic Tee, Black, M to your cart");
  const count = await style(page.getByTestId("cart-count"), "color", "background-color", "display");
  expect(count.display).toBe("grid");
  expect(contrast(count.color, count["background-color"]!)).toBeGreaterThan(4.5);

  const panel = page.getByTestId("cart-drawer");
  const panelStyle = await style(panel, "color", "background-color", "display");
  expect(panelStyle.display).toBe("flex");
  expect(contrast(panelStyle.color, panelStyle["background-color"]!)).toBeGreaterThan(4.5);
  const title = await style(panel.getByRole("heading", { name: "Your cart" }), "display", "visibility");
  expect(title.display).toBe("block");
  expect(title.height).toBeGreaterThan(10);
  await expect(panel.getByRole("heading", { name: "Your cart" })).toBeVisible();
  const close = await style(page.getByTestId("cart-drawer-close"), "display", "cursor");
  expect(close.display).toBe("grid");
  expect(close.cursor).toBe("pointer");
  expect(close.width).toBeGreaterThanOrEqual(24);
  const plus = await style(panel.getByTestId("line-increase"), "display", "cursor", "color");
  expect(plus.display).toBe("grid");
  expect(plus.width).toBeGreaterThanOrEqual(24);
  const name = await style(panel.getByTestId("line-name"), "color");
  expect(contrast(name.color, panelStyle["background-color"]!)).toBeGreaterThan(4.5);
  const viewCart = await style(page.getByTestId("cart-drawer-view"), "color", "background-color");
  expect(contrast(viewCart.color, viewCart["background-color"]!)).toBeGreaterThan(4.5);
  // Still a working control under `button { all: unset }`.
  await panel.getByTestId("line-increase").click();
  await expect(panel.getByTestId("line-quantity")).toHaveValue("2");
  await page.getByTestId("cart-drawer-close").click();
  await expect(drawer(page)).toHaveCount(0);
  // The drawer's line links to the catalog's page but never prefetched it.
  expect(productPages).toEqual([]);
});

test("a catalog without images or product pages: no image column, no links, no requests to pages that do not exist", async ({ page }) => {
  const productPages = productPageRequests(page);
  const anyBookPage: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("isbn-")) anyBookPage.push(request.url());
  });
  await page.goto("/host-check/bookshop");
  // Two providers on this page (the layout's and the bookshop's): two status lines.
  const layoutStatus = page.getByTestId("cart-status").first();
  await expect(layoutStatus).toHaveAttribute("data-hydrated", "true");
  const lines = page.getByTestId("bookshop-lines").getByTestId("cart-line");
  await expect(lines).toHaveCount(2);
  await expect(page.getByTestId("bookshop-lines").locator(".nc-line-image")).toHaveCount(0);
  const row = await style(lines.first(), "grid-template-areas", "grid-template-columns");
  expect(row["grid-template-areas"]).not.toContain("image");
  // Two or three columns (narrow / wide), none of them an image's 96 px.
  expect(row["grid-template-columns"]!.split(" ").length).toBeLessThanOrEqual(3);
  const info = await style(lines.first().locator(".nc-line-info"), "display");
  const rowBox = await lines.first().boundingBox();
  const infoBox = await lines.first().locator(".nc-line-info").boundingBox();
  expect(info.width).toBeGreaterThan(0);
  // The name starts where the line starts: no empty box before it.
  expect(Math.abs((infoBox?.x ?? 0) - (rowBox?.x ?? 0))).toBeLessThan(2);
  // No links the host did not give.
  await expect(page.getByTestId("bookshop-lines").getByRole("link")).toHaveCount(0);
  await expect(page.getByTestId("bookshop-lines").getByTestId("line-name").first()).toHaveText("Pride and Prejudice");
  // Hovering a line prefetches nothing either. (Not `networkidle`: a page following its cart
  // live always holds one request open.)
  await lines.first().getByTestId("line-name").hover();
  await expect(layoutStatus).toHaveAttribute("data-live", /.+/);
  expect(productPages).toEqual([]);
  expect(anyBookPage).toEqual([]);
});
