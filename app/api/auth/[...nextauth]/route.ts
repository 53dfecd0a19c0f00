// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers)
import { handlers } from "@/lib/auth/config";
import { endingOurSession } from "@/lib/auth/sign-out";

export const GET = handlers.GET;
export const POST = endingOurSession(handlers.POST);
