// The demo storefront's cart: the module configured the way any host configures it.
import { authjsIdentity, createCart, postgresCatalog } from "next-cart/server";
import { demoAccounts } from "./accounts";
import { demoCatalog } from "./catalog";

export const catalog = postgresCatalog({ seed: demoCatalog });

export const cart = createCart({ catalog });

export const identity = authjsIdentity(cart, { demoAccounts });
