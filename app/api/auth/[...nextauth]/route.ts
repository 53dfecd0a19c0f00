// /api/auth/* — Auth.js's routes and POST /api/auth/register, behind next-cart's limits; other methods get the contract's 405.
import { identity } from "@/app/_demo/cart";

export const { GET, POST, PUT, PATCH, DELETE } = identity.handlers;
