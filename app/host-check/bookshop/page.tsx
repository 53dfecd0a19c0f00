import type { Metadata } from "next";
import type { CartView } from "next-cart/server";
import { addToCartAction, clearCartAction, removeFromCartAction, setQuantityAction } from "@/app/actions/cart";
import { CartLines, CartProvider } from "next-cart/react";
import "../hostile.css";

// A bookshop's catalog, as the stranger embedded it: no images, and no product pages (the
// adapter gives no `href`, the host no `productHref`). The lines must take no image column and
// link nowhere, so no request goes to a page the host did not define (e2e/host-css.spec.ts).
// The cart here is fixed, as that catalog's adapter would describe it; its own provider does not
// follow the demo's live cart.
export const metadata: Metadata = { title: "Bookshop check", robots: { index: false } };

const book = (productId: string, name: string, unitPrice: number, quantity: number) => ({
  lineId: productId,
  productId,
  properties: {},
  name,
  slug: productId,
  image: "",
  href: null,
  unitPrice,
  addedUnitPrice: unitPrice,
  quantity,
  lineTotal: unitPrice * quantity,
  available: true,
});

const items = [book("isbn-9780141439518", "Pride and Prejudice", 899, 1), book("isbn-9780141182803", "Nineteen Eighty-Four", 1099, 2)];
const bookshopCart: CartView = {
  id: "bookshop-fixed",
  version: 1,
  currency: "USD",
  items,
  itemCount: 3,
  subtotal: items.reduce((sum, line) => sum + line.lineTotal, 0),
  updatedAt: "2026-12-01T00:00:00.000Z",
  note: null,
  notices: [],
};

export default function BookshopCheckPage() {
  return (
    <div className="container">
      <h1>A bookshop without images or product pages</h1>
      <CartProvider
        cartPromise={Promise.resolve(bookshopCart)}
        live={false}
        // Another module on the page: its own queue of changes (they are kept per basePath).
        basePath="/bookshop/api"
        actions={{ add: addToCartAction, setQuantity: setQuantityAction, remove: removeFromCartAction, clear: clearCartAction }}
      >
        <section data-testid="bookshop-lines">
          <CartLines returnTo="/host-check/bookshop" />
        </section>
      </CartProvider>
    </div>
  );
}
