// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers)
import { handlers } from "@/lib/auth/config";
import { endingOurSession } from "@/lib/auth/sign-out";
import { observed } from "@/lib/http/observed";

export const GET = observed("/api/auth/[...nextauth]", handlers.GET);
export const POST = observed("/api/auth/[...nextauth]", endingOurSession(handlers.POST));
