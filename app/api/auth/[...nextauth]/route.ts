// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers)
import { handlers } from "@/lib/auth/config";
import { endingOurSession } from "@/lib/auth/sign-out";
import { withRequestLog } from "@/lib/observe/request-context";

export const GET = withRequestLog(handlers.GET);
export const POST = withRequestLog(endingOurSession(handlers.POST));
