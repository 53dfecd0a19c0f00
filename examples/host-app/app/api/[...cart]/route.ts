// The cart's whole HTTP API (/api/cart, /api/cart/items, /api/session, /api/health...).
import { cart } from "@/lib/cart";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = cart.handlers;
