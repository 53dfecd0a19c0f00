import type { NextRequest } from "next/server";
import { cart } from "@/lib/cart";

// Request ids, body limits and bad encodings, before every route.
export function proxy(req: NextRequest) {
  return cart.proxy(req);
}

export const config = { matcher: ["/((?!_next/static|_next/image|favicon\\.ico).*)"] };
