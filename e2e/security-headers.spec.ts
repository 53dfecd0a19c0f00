import { expect, test, type Page } from "@playwright/test";
import { drawer, hydrated } from "./helpers";

// The demo's pages under their Content-Security-Policy (next.config.ts securityHeaders(): 'self'
// plus the inline scripts Next.js's bootstrap needs, no 'unsafe-eval'): every page answers with
// the policy and the other security headers, and Chromium reports no violation while the pages
// load, hydrate and change the cart.

/** Every CSP violation Chromium reports on this page (the DOM event and the console's line). */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { reportCspViolation(t: string): void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("every demo page carries the security headers, and Chromium reports no CSP violation while shopping", async ({ page }) => {
  const violations = await watchViolations(page);
  for (const path of ["/", "/products/tee-black-m", "/cart", "/signin", "/signup"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const headers = response!.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("script-src 'self'");
    expect(csp, path).not.toContain("unsafe-eval");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    await hydrated(page);
  }
  // The client at work under the policy: an add through the server action, the drawer, a reload.
  await page.goto("/products/tee-black-m");
  await hydrated(page);
  await page.getByTestId("add-to-cart").click();
  await expect(drawer(page)).toBeVisible();
  await page.goto("/cart");
  await hydrated(page);
  expect(violations).toEqual([]);
});
