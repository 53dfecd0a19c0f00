// The demo storefront's cart: the module configured the way any host configures it.
import { authjsIdentity, createCart, postgresCatalog, tuningFromEnv } from "next-cart/server";
import { demoAccounts } from "./accounts";
import { demoCatalog } from "./catalog";
import { createDemoOrdersTable } from "./orders-table";

// The demo takes the module's tuning (limits and timings, set in code by a host) from variables
// of the same names too, so its tests and experiments can change them per server.
export const cart = createCart({ catalog: postgresCatalog({ seed: demoCatalog }), tuning: tuningFromEnv(process.env) });

// The demo's own order table (its checkout's "Place order"), made before the storefront serves.
cart.runtime.onDatabaseReady(createDemoOrdersTable);

// The storefront's pages read products through the cart's instance.
export const catalog = cart.catalog;

export const identity = authjsIdentity(cart, { demoAccounts });
