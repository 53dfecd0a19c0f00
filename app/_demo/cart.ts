// The demo storefront's cart: the module configured the way any host configures it.
import { authjsIdentity, createCart, postgresCatalog } from "next-cart/server";
import { demoAccounts } from "./accounts";
import { demoCatalog } from "./catalog";

export const cart = createCart({ catalog: postgresCatalog({ seed: demoCatalog }) });

// The storefront's pages read products through the cart's instance.
export const catalog = cart.catalog;

export const identity = authjsIdentity(cart, { demoAccounts });
