import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  char,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** The catalog. `id` is the SKU; prices are integers in minor units. */
export const products = pgTable(
  "products",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    price: integer("price").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    active: boolean("active").notNull().default(true),
    image: text("image").notNull(),
    /** Merchandising order in the catalog. */
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("products_slug_key").on(t.slug), check("products_price_nonnegative", sql`${t.price} >= 0`)],
);

/**
 * A cart, guest (`user_id` null) or user. `version` is bumped in the same
 * transaction as every change to the cart or its lines.
 */
export const carts = pgTable(
  "carts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id"),
    status: text("status", { enum: ["active", "merged", "closed"] }).notNull().default("active"),
    version: integer("version").notNull().default(0),
    currency: char("currency", { length: 3 }).notNull(),
    mergedInto: uuid("merged_into"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("carts_status_updated_at_idx").on(t.status, t.updatedAt),
    // One active cart per user, enforced by the database.
    uniqueIndex("carts_one_active_per_user").on(t.userId).where(sql`${t.status} = 'active' and ${t.userId} is not null`),
    check("carts_status_valid", sql`${t.status} in ('active', 'merged', 'closed')`),
  ],
);

/** One line per product per cart; `seq` keeps the order lines were first added. */
export const cartItems = pgTable(
  "cart_items",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    cartId: uuid("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    quantity: integer("quantity").notNull(),
    addedUnitPrice: integer("added_unit_price").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("cart_items_cart_product_key").on(t.cartId, t.productId),
    check("cart_items_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

export type ProductRow = typeof products.$inferSelect;
export type CartRow = typeof carts.$inferSelect;
export type CartItemRow = typeof cartItems.$inferSelect;
