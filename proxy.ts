import type { NextRequest } from "next/server";
import { cart } from "@/app/_demo/cart";

// Request ids, body limits and bad encodings, before any route (next-cart's proxy).
export function proxy(req: NextRequest) {
  return cart.proxy(req);
}

// Everything but build output, the icon and product images: pages, API, Auth.js routes and unknown paths (404s) alike.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon\\.ico|icon\\.svg|products/[^/]+\\.svg$).*)"] };
