import { createHash } from "node:crypto";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { type NextAuthConfig, type NextAuthResult } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { accounts, users, verificationTokens } from "../../db/schema";
import { env } from "../config/env";
import { log } from "../log/logger";
import { sessionPasswords } from "../session/secret";
import { userSessionLive } from "../session/session";
import { db } from "../storage/database";
import { lowerCaseEmails, pickVerifiedEmail, VERIFIED_MARK, type ProviderEmail } from "./provider-emails";
import { credentialsSchema } from "./schemas";
import { beginUserSession } from "./session-bridge";
import { verifyCredentials } from "./users";

// Auth.js: email + password (Credentials), and GitHub when its variables are
// set. Auth.js proves who the user is; our own session decides what they
// reach. Its JWT carries our session id, so a signed-out session is refused
// by Auth.js too, not only by the cart.
function authSecret(): string[] {
  // A list, newest first, like SESSION_SECRET: Auth.js signs with the first and reads with all.
  const configured = env().AUTH_SECRET;
  if (configured.length > 0) return configured;
  // Development only (production refuses to start without AUTH_SECRET): derive from the session secret.
  const { map, currentId } = sessionPasswords();
  return [createHash("sha256").update(`auth:${map[currentId]}`).digest("base64url")];
}

// The configuration Auth.js is given for the instance serving the call; exported so tests can
// call its callbacks and providers exactly as Auth.js does.
export async function buildConfig(): Promise<NextAuthConfig> {
  const config = env();
  const database = await db();
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        return verifyCredentials(parsed.data.email, parsed.data.password);
      },
    }),
  ];
  if (config.AUTH_GITHUB_ID && config.AUTH_GITHUB_SECRET) {
    providers.push(
      GitHub({
        clientId: config.AUTH_GITHUB_ID,
        clientSecret: config.AUTH_GITHUB_SECRET,
        // Only an address GitHub verified becomes the account's email (the default takes the
        // primary one, verified or not); without one the sign-in is refused (callbacks.signIn).
        async profile(profile, tokens) {
          const res = await fetch("https://api.github.com/user/emails", {
            headers: { Authorization: `Bearer ${tokens.access_token}`, "User-Agent": "next-cart", Accept: "application/vnd.github+json" },
            signal: AbortSignal.timeout(5000),
          });
          const email = res.ok ? pickVerifiedEmail((await res.json()) as ProviderEmail[], profile.email) : null;
          return { id: String(profile.id), name: profile.name ?? profile.login, email, image: profile.avatar_url, [VERIFIED_MARK]: email !== null };
        },
      }),
    );
  }
  return {
    adapter: lowerCaseEmails(DrizzleAdapter(database, { usersTable: users, accountsTable: accounts, verificationTokensTable: verificationTokens })),
    // Auth.js's token lives exactly as long as our signed-in session may (its absolute
    // lifetime), so it never ends first; our own session decides everything else.
    session: { strategy: "jwt", maxAge: config.USER_SESSION_ABSOLUTE_SECONDS },
    secret: authSecret(),
    trustHost: process.env.AUTH_TRUST_HOST === "true" || config.NODE_ENV !== "production",
    providers,
    pages: { signIn: "/signin", error: "/signin" },
    callbacks: {
      // A new account from a provider needs an address the provider verified (an existing one,
      // found by its provider account, was checked when it was made).
      signIn({ user }) {
        return (user as { [VERIFIED_MARK]?: boolean })[VERIFIED_MARK] !== false;
      },
      async jwt({ token, user, trigger }) {
        if (user?.id && (trigger === "signIn" || trigger === "signUp")) {
          token.sid = await beginUserSession({ id: user.id, email: user.email ?? null });
          return token;
        }
        if (typeof token.sid !== "string" || !token.sub) return null;
        return (await userSessionLive(token.sid, token.sub)) ? token : null;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
    // Sign-out is not an Auth.js event here: it runs only when Auth.js finds its token,
    // so our session is ended by app/api/auth's route and the sign-out action instead.
    // Auth.js logs a full stack for every wrong password; keep it to one line.
    logger: {
      error(error) {
        // Class names are minified in production builds; Auth.js's `type` is not.
        const type = (error as { type?: string }).type ?? error.name;
        if (type === "CredentialsSignin") log.info("sign-in refused");
        else log.warn("auth error", { type, message: error.message });
      },
      warn(code) {
        log.debug("auth warning", { code });
      },
      debug() {},
    },
  };
}

// Annotated: the package's .d.ts must name these types through "next-auth", not its internal paths.
const nextAuth: NextAuthResult = NextAuth(() => buildConfig());
export const handlers: NextAuthResult["handlers"] = nextAuth.handlers;
export const auth: NextAuthResult["auth"] = nextAuth.auth;
export const signIn: NextAuthResult["signIn"] = nextAuth.signIn;
export const signOut: NextAuthResult["signOut"] = nextAuth.signOut;
