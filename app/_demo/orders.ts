// The demo's own orders (demo_orders, made when the database opens: app/_demo/orders-table.ts),
// and "Place order" without any payment. The order completes the checkout through the module's
// server API (cart.checkouts.complete), as a host's order system would after a payment.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { CheckoutView } from "next-cart/server";
import { cart } from "./cart";

type Rows<T> = T[] | { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as Rows<T> & { rows: T[] }).rows) as T[];

// One order per checkout: a second "Place order" (a double submit, a retry) finds the first
// order and completes the checkout with the same id, which the module answers the same way.
export async function placeOrder(checkout: CheckoutView): Promise<string> {
  const db = await cart.runtime.db();
  const id = `order-${randomBytes(6).toString("hex")}`;
  await db.execute(sql`
    insert into demo_orders (id, checkout_id, subtotal, currency)
    values (${id}, ${checkout.id}, ${checkout.subtotal}, ${checkout.currency})
    on conflict (checkout_id) do nothing`);
  const [order] = rowsOf<{ id: string }>(await db.execute(sql`select id from demo_orders where checkout_id = ${checkout.id}`));
  const orderId = order!.id;
  await cart.checkouts.complete(checkout.id, { orderId });
  return orderId;
}
