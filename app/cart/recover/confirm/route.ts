// POST /cart/recover/confirm — the recovery page's "Add to my cart" form: restore the link's snapshot
import { methodNotAllowed } from "next-cart/server";
import { cart } from "@/app/_demo/cart";

export const dynamic = "force-dynamic";

export const POST = cart.recovery.confirm;
export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
