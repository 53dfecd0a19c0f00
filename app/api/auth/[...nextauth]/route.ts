// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers)
import { handlers } from "@/lib/auth/config";

export const { GET, POST } = handlers;
