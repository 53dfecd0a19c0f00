// The demo's published accounts (the README prints them): seeded only outside production, on the
// embedded database unless DEMO_ACCOUNTS says otherwise; production refuses their passwords.
export const demoAccounts = [
  { email: "demo@example.com", password: "demo-password" },
  { email: "shopper@example.com", password: "shopper-password" },
  // The /admin dashboard's admin (ADMIN_EMAILS's default where demo accounts are seeded).
  { email: "admin@example.com", password: "admin-password" },
];
