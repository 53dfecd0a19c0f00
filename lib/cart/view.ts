import { lineIdOf } from "./domain";
import type { CartLineView, CartNotice, CartSnapshot, CartView, Product } from "./types";

// Builds the contract's cart object from a stored cart and the catalog.
// Pure: prices come from `catalog`, never from the stored line.
export function emptyCartView(currency = "USD"): CartView {
  return { id: null, version: 0, currency, items: [], note: null, itemCount: 0, subtotal: 0, updatedAt: null, notices: [] };
}

export function buildCartView(
  snapshot: CartSnapshot,
  catalog: ReadonlyMap<string, Product>,
  extraNotices: readonly CartNotice[] = [],
): CartView {
  const notices: CartNotice[] = [...extraNotices];
  const items: CartLineView[] = snapshot.lines.map((line) => {
    const product = catalog.get(line.productId);
    const available = Boolean(product?.active);
    const unitPrice = product?.price ?? line.addedUnitPrice;
    const name = product?.name ?? line.productId;
    if (!available) {
      notices.push({ type: "unavailable", productId: line.productId, message: `${name} is no longer available.` });
    } else if (unitPrice !== line.addedUnitPrice) {
      notices.push({
        type: "price_changed",
        productId: line.productId,
        from: line.addedUnitPrice,
        to: unitPrice,
        message: `The price of ${name} changed since you added it.`,
      });
    }
    return {
      lineId: lineIdOf(line),
      productId: line.productId,
      properties: line.properties ?? {},
      name,
      slug: product?.slug ?? line.productId,
      image: product?.image ?? "",
      href: product?.href ?? null,
      unitPrice,
      addedUnitPrice: line.addedUnitPrice,
      quantity: line.quantity,
      lineTotal: unitPrice * line.quantity,
      available,
    };
  });
  return {
    id: snapshot.id,
    version: snapshot.version,
    currency: snapshot.currency,
    items,
    note: snapshot.note ?? null,
    itemCount: items.reduce((sum, i) => sum + i.quantity, 0),
    subtotal: items.filter((i) => i.available).reduce((sum, i) => sum + i.lineTotal, 0),
    updatedAt: snapshot.updatedAt,
    notices,
  };
}
