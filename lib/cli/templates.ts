// The files `next-cart init` writes into a host's Next.js app: the README's section "Add the cart
// to your Next.js app" shows them as written with the `@/*` alias (test/unit/init.test.ts keeps
// the two identical), and `npm run example:build` builds an app made by init, so `next build`
// type-checks exactly this text against the packed module.

export interface SampleProduct {
  id: string;
  slug: string;
  name: string;
  price: number;
  currency: string;
  available: boolean;
}

// The sample catalog of lib/cart.ts: enough to add something to the cart before the host's own
// catalog is plugged in. (The example host app's pages and specs read it too.)
export const sampleProducts: readonly SampleProduct[] = [
  { id: "mug", slug: "mug", name: "Stoneware mug", price: 1800, currency: "USD", available: true },
  { id: "tote", slug: "tote", name: "Canvas tote", price: 2400, currency: "USD", available: true },
];

export interface WiringFile {
  // Relative to the folder that holds app/ (the app's root, or src/), with forward slashes.
  path: string;
  // One line for init's report.
  purpose: string;
  text: string;
}

export interface WiringOptions {
  // true when tsconfig maps "@/*" to the folder that holds app/: imports read "@/lib/cart";
  // otherwise they are relative ("../../lib/cart").
  alias: boolean;
}

// The component init writes in app/cart-provider.tsx, and the root layout's two lines that use it.
export const ROOT_COMPONENT = "CartRoot";
export const LAYOUT_IMPORT = `import { ${ROOT_COMPONENT} } from "./cart-provider";`;

function specifier(alias: boolean, from: string, target: string): string {
  if (alias) return `@/${target}`;
  const fromParts = from.split("/").slice(0, -1);
  const targetParts = target.split("/");
  let common = 0;
  while (common < fromParts.length && fromParts[common] === targetParts[common]) common += 1;
  const up = fromParts.length - common;
  const rest = targetParts.slice(common).join("/");
  return up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
}

function productLine(p: SampleProduct): string {
  const fields = Object.entries(p).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `    { ${fields.join(", ")} },`;
}

export function wiringFiles({ alias }: WiringOptions): WiringFile[] {
  const cartFrom = (from: string) => specifier(alias, from, "lib/cart");
  const actionsFrom = (from: string) => specifier(alias, from, "app/actions/cart");

  const config = `// The cart's one configuration: every other cart file imports \`cart\` from here.
import { createCart, memoryCatalog } from "next-cart/server";

export const cart = createCart({
  // Two sample products, so the cart works at once. Replace memoryCatalog([...]) with your
  // catalog adapter: any object with getProducts(ids) (and listProducts() for GET /api/products),
  // or postgresCatalog() from next-cart/server. Prices only ever come from the catalog, in
  // minor units (1800 = $18.00).
  catalog: memoryCatalog([
${sampleProducts.map(productLine).join("\n")}
  ]),
  currency: "USD",
});
`;

  const route = `// The cart's whole HTTP API: /api/cart, /api/cart/items, /api/session, /api/health...
import { cart } from "${cartFrom("app/api/[...cart]/route.ts")}";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = cart.handlers;
`;

  const actions = `"use server";
// The server actions the cart components call (app/cart-provider.tsx hands them over): the
// module's own, passed through.
import { cart } from "${cartFrom("app/actions/cart.ts")}";

export async function addToCartAction(formData: FormData) {
  return cart.actions.add(formData);
}

export async function setQuantityAction(formData: FormData) {
  return cart.actions.setQuantity(formData);
}

export async function removeFromCartAction(formData: FormData) {
  return cart.actions.remove(formData);
}

export async function clearCartAction(formData: FormData) {
  return cart.actions.clear(formData);
}

export async function setCartNoteAction(formData: FormData) {
  return cart.actions.note(formData);
}
`;

  const provider = `// The cart for every page: the root layout wraps what <body> holds in <${ROOT_COMPONENT}>. The
// components of next-cart/react (<AddToCartButton>, <CartBadge>, <CartView>...) work anywhere inside.
import type { ReactNode } from "react";
import { CartProvider } from "next-cart/react";
import "next-cart/react/styles.css";
import { addToCartAction, clearCartAction, removeFromCartAction, setCartNoteAction, setQuantityAction } from "${actionsFrom("app/cart-provider.tsx")}";
import { cart } from "${cartFrom("app/cart-provider.tsx")}";

export async function ${ROOT_COMPONENT}({ children }: { children: ReactNode }) {
  // Not awaited: the provider resolves it, so the read starts early.
  const cartPromise = cart.getCartForRender();
  const { user } = await cart.getSessionForRender();
  return (
    // Keyed by who is shopping: signing in or out swaps the cart outright.
    <CartProvider
      key={user?.id ?? "guest"}
      cartPromise={cartPromise}
      limits={cart.limits}
      actions={{ add: addToCartAction, setQuantity: setQuantityAction, remove: removeFromCartAction, clear: clearCartAction, note: setCartNoteAction }}
    >
      {children}
    </CartProvider>
  );
}
`;

  const instrumentation = `// Once per server instance, before it serves anything: the cart's schedules and database.
// A missing or unsafe setting (no SESSION_SECRET in production, a short one) stops the server
// here with the ConfigError's lines, instead of every request answering 500.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { ConfigError } = await import("next-cart/server");
    try {
      const { cart } = await import("./lib/cart");
      await cart.start();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      process.exit(1);
    }
  }
}
`;

  return [
    { path: "lib/cart.ts", purpose: "the cart's configuration: createCart with two sample products", text: config },
    { path: "app/api/[...cart]/route.ts", purpose: "the cart's HTTP API, one catch-all route", text: route },
    { path: "app/actions/cart.ts", purpose: "the cart's server actions, passed through", text: actions },
    { path: "app/cart-provider.tsx", purpose: `<${ROOT_COMPONENT}>: the provider with the shopper's cart, limits and actions`, text: provider },
    { path: "instrumentation.ts", purpose: "starts the cart with the server; a bad setting stops it there", text: instrumentation },
  ];
}

// What the root layout needs, as init prints it (and as the README shows it): the import, and
// <CartRoot> around whatever <body> holds.
export function layoutSnippet(): string {
  return `${LAYOUT_IMPORT}

// ...
      <body>
        <${ROOT_COMPONENT}>{children}</${ROOT_COMPONENT}>
      </body>
`;
}
