import { expect, test, type Page } from "@playwright/test";

// A form posted twice (a double click before the page reloads, a browser
// retry) applies once: each rendered form carries its own idempotency key.
test.describe("double submits without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  /** The add-to-cart form's fields as the browser would post them. */
  async function addFormFields(page: Page): Promise<Record<string, string>> {
    const form = page.getByTestId("add-to-cart").locator("xpath=ancestor::form");
    const inputs = form.locator("input[name]");
    const fields: Record<string, string> = {};
    for (let i = 0; i < (await inputs.count()); i += 1) {
      const input = inputs.nth(i);
      fields[(await input.getAttribute("name"))!] = (await input.getAttribute("value")) ?? "";
    }
    return fields;
  }

  test("the same rendered form posted twice adds once; a new render adds again", async ({ page, context, baseURL }) => {
    await page.goto("/products/cap-black");
    const fields = await addFormFields(page);
    expect(fields.idempotencyKey).toMatch(/.{8,}/);
    const post = () =>
      context.request.post(`${baseURL}/products/cap-black`, { multipart: fields, headers: { origin: baseURL! }, maxRedirects: 0 });
    const first = await post();
    const second = await post();
    expect(first.status()).toBe(303);
    expect(second.status()).toBe(303);

    await page.goto("/cart");
    await expect(page.getByTestId("cart-line")).toHaveCount(1);
    await expect(page.getByTestId("line-quantity")).toHaveValue("1");

    await page.goto("/products/cap-black");
    const fresh = await addFormFields(page);
    expect(fresh.idempotencyKey).not.toBe(fields.idempotencyKey);
    await page.getByTestId("add-to-cart").click();
    await page.goto("/cart");
    await expect(page.getByTestId("line-quantity")).toHaveValue("2");
  });
});
