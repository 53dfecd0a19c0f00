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

/**
 * Marks an account's email as verified, as a sign-in provider that verifies addresses (GitHub)
 * would: admins named by ADMIN_EMAILS need it (a sign-up's address is never verified).
 */
export async function markEmailVerified(databaseUrl: string, email: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update cart_users set email_verified = now() where email = ${email.trim().toLowerCase()}`;
  } finally {
    await sql.end();
  }
}
