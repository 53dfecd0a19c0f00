// Every route of the cart's HTTP API (docs/api.md): /api/cart, /api/cart/items, /api/session, /api/products, /api/health...
import { cart } from "@/app/_demo/cart";

export const dynamic = "force-dynamic";
// Vercel: a cleanup run stops starting batches after CLEANUP_BUDGET_MS (50 s by default).
export const maxDuration = 60;

export const { GET, POST, PUT, PATCH, DELETE } = cart.handlers;
