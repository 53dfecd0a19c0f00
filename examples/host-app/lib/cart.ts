// The one place this app configures the cart: its catalog, and everything else from defaults
// (embedded PGlite and an in-process store under CART_DATA_DIR, default .data).
import { createCart, memoryCatalog } from "next-cart/server";
import { products } from "./products";

export const cart = createCart({ catalog: memoryCatalog(products), currency: "USD" });
