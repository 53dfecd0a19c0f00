// The demo storefront's catalog: realistic apparel and home goods, prices in cents, seeded into
// the module's cart_products table when it is empty. One product is retired on purpose.
import type { SeedProduct } from "next-cart/server";

type Row = [id: string, name: string, price: number, description: string, active?: boolean];

const rows: Row[] = [
  ["sku-tee-black-m", "Organic Tee, Black, M", 2500, "Heavyweight 220 gsm organic cotton tee with a relaxed fit and a ribbed collar that keeps its shape."],
  ["sku-tee-white-m", "Organic Tee, White, M", 2500, "The same heavyweight organic cotton tee in optic white. Pre-shrunk, so the size you buy is the size you keep."],
  ["sku-tee-olive-l", "Organic Tee, Olive, L", 2600, "Garment-dyed olive tee with a lived-in feel from the first wear."],
  ["sku-hoodie-grey-m", "Loopback Hoodie, Heather Grey, M", 6800, "French terry hoodie with a double-layer hood, flat drawcords and a kangaroo pocket."],
  ["sku-hoodie-navy-l", "Loopback Hoodie, Navy, L", 6800, "Midweight loopback cotton in deep navy, brushed inside for warmth without bulk."],
  ["sku-crew-oat-m", "Fleece Crewneck, Oatmeal, M", 5800, "A soft fleece crewneck in undyed oatmeal with raglan sleeves for easy movement."],
  ["sku-jacket-chore-m", "Canvas Chore Jacket, M", 12800, "Washed cotton canvas jacket with three patch pockets and corozo buttons."],
  ["sku-jeans-indigo-32", "Selvedge Jeans, Indigo, 32", 11800, "13.5 oz Japanese selvedge denim in a straight leg. Raw indigo that fades to you."],
  ["sku-chino-khaki-32", "Stretch Chino, Khaki, 32", 7400, "Twill chinos with a touch of stretch and a tapered leg for everyday wear."],
  ["sku-shorts-sand-m", "Camp Shorts, Sand, M", 4800, "Quick-dry nylon shorts with a 6-inch inseam, elastic waist and zip back pocket."],
  ["sku-socks-merino-3", "Merino Socks, 3-Pack", 2400, "Cushioned merino wool socks that stay warm when wet and fresh for days."],
  ["sku-beanie-rust", "Ribbed Beanie, Rust", 2800, "Fine-gauge recycled wool blend beanie with a deep cuff."],
  ["sku-cap-black", "Six-Panel Cap, Black", 3200, "Unstructured cotton twill cap with an adjustable brass buckle."],
  ["sku-tote-natural", "Market Tote, Natural", 3600, "Heavy canvas tote with leather handles and an inner zip pocket. Carries 15 kg."],
  ["sku-backpack-charcoal", "Roll-Top Backpack, Charcoal", 14800, "Waterproof 24 L roll-top pack with a padded laptop sleeve and quick-access side pocket."],
  ["sku-bottle-steel-750", "Insulated Bottle, 750 ml", 3400, "Double-wall stainless steel bottle: cold for 24 hours, hot for 12."],
  ["sku-mug-stoneware", "Stoneware Mug, Speckled", 2200, "Hand-glazed 350 ml stoneware mug, dishwasher and microwave safe."],
  ["sku-pourover-kit", "Pour-Over Coffee Kit", 5600, "Ceramic dripper, glass carafe and 100 filters: everything for a clean morning cup."],
  ["sku-beans-house-1kg", "House Espresso Beans, 1 kg", 3900, "Chocolatey medium roast from Brazil and Ethiopia, roasted weekly."],
  ["sku-candle-cedar", "Cedar & Smoke Candle", 3800, "Soy wax candle in a reusable amber jar, about 50 hours of burn time."],
  ["sku-blanket-wool", "Wool Throw Blanket", 12900, "Woven lambswool throw, 130 × 180 cm, in a muted herringbone."],
  ["sku-notebook-a5", "Dot-Grid Notebook, A5", 1800, "Lay-flat notebook with 160 pages of 100 gsm fountain-pen-friendly paper."],
  ["sku-sunglasses-tort", "Acetate Sunglasses, Tortoise", 9500, "Hand-polished acetate frames with polarised, UV400 lenses."],
  ["sku-scarf-plaid", "Brushed Scarf, Plaid (retired)", 4200, "Our brushed plaid scarf, retired from the line this season.", false],
];

export const demoCatalog: SeedProduct[] = rows.map(([id, name, price, description, active = true], position) => {
  const slug = id.replace(/^sku-/, "");
  return { id, slug, name, description, price, currency: "USD", active, image: `/products/${slug}.svg`, position };
});
