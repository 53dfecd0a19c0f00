// /api/auth/* — Auth.js's routes and POST /api/auth/register, behind next-cart's limits.
import { identity } from "@/app/_demo/cart";

export const { GET, POST } = identity.handlers;
