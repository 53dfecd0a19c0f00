import type { Shopper } from "./shopper";

/** Signs in through Auth.js's own routes, as a browser form post would. */
export async function signIn(shopper: Shopper, email: string, password: string) {
  const csrf = await shopper.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
  const form = new URLSearchParams({ email, password, csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" });
  return shopper.request("POST", "/api/auth/callback/credentials", {
    body: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

export async function signOut(shopper: Shopper) {
  const csrf = await shopper.request<{ csrfToken: string }>("GET", "/api/auth/csrf");
  const form = new URLSearchParams({ csrfToken: csrf.body.csrfToken, callbackUrl: "/cart" });
  return shopper.request("POST", "/api/auth/signout", {
    body: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

export function uniqueEmail(tag: string) {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}
