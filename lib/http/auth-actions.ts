// The sign-in, sign-up and sign-out forms' server actions (they work without JavaScript),
// for a host that uses the Auth.js integration: the host's "use server" file calls these.
import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, signOut } from "../identity/config";
import { checkRegister, checkSignIn, signInFailed, signInLane, signInSucceeded, type GuessVerdict } from "../identity/guess-limit";
import { withHashSlot, withoutHash } from "../identity/password";
import { COMMON_PASSWORD_CODE, isCommonPassword } from "../identity/common-passwords";
import { credentialsSchema, registerSchema } from "../identity/schemas";
import { endUserSession } from "../identity/session-bridge";
import { accountExists, registerUser } from "../identity/users";
import { returnToSchema } from "../cart/schemas";
import { AppError } from "../errors";
import { toAppError } from "./errors";
import { clientAddress } from "./rate-limit";
import { withActionContext } from "./request-context";

function field(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

type AuthPage = "/signin" | "/signup";

function back(page: AuthPage, error: string, returnTo: string, retryAfterSeconds?: number): never {
  const retry = retryAfterSeconds === undefined ? "" : `&retryAfter=${retryAfterSeconds}`;
  redirect(`${page}?error=${encodeURIComponent(error)}${retry}&returnTo=${encodeURIComponent(returnTo)}`);
}

// The page says "Too many attempts. Try again in N minutes." (lib/react/auth-messages.ts).
function backLimited(page: AuthPage, verdict: GuessVerdict, returnTo: string): void {
  if (verdict.limited) back(page, "RATE_LIMITED", returnTo, verdict.retryAfterSeconds);
}

async function signInWith(email: string, password: string, returnTo: string, page: AuthPage) {
  let answer: string;
  const lane = await signInLane(email, accountExists);
  const refused = async () => {
    await signInFailed(lane);
    back(page, "CredentialsSignin", returnTo);
  };
  try {
    // No redirect from Auth.js: it would build an absolute URL from forwarded headers; returnTo is already a safe path.
    const attempt = () => signIn("credentials", { email, password, redirectTo: returnTo, redirect: false });
    // Past half the failed-sign-in budget an unknown account takes no hash slot (lib/identity/guess-limit.ts).
    answer = lane === "no-hash" ? await withoutHash(attempt) : await withHashSlot(attempt, lane);
  } catch (err) {
    if (err instanceof AppError && err.code === "OVERLOADED") back(page, "OVERLOADED", returnTo);
    if (err instanceof AuthError) await refused();
    throw err;
  }
  // With X-Auth-Return-Redirect (a client's header) Auth.js answers a refusal instead of throwing: with an
  // `error` URL, or with its own callback URL. Only a URL outside Auth.js without `error` is a sign-in.
  const answered = new URL(answer, "http://localhost");
  if (answered.searchParams.has("error") || answered.pathname.startsWith("/api/auth/")) await refused();
  await signInSucceeded(email);
  redirect(returnTo);
}

// Past the process's capacity (admission control): back to the form, which says "busy".
const busy = (page: AuthPage, formData: FormData) => () => back(page, "OVERLOADED", returnToSchema.catch("/cart").parse(field(formData, "returnTo") || "/cart"));

export async function signInForm(formData: FormData) {
  await withActionContext("signIn", () => signInWithForm(formData), busy("/signin", formData));
}

async function signInWithForm(formData: FormData) {
  const returnTo = returnToSchema.parse(field(formData, "returnTo") || "/cart");
  const parsed = credentialsSchema.safeParse({ email: field(formData, "email"), password: field(formData, "password") });
  if (!parsed.success) back("/signin", "CredentialsSignin", returnTo);
  // Before the hash: the same limits as POST /api/auth/callback/credentials.
  backLimited("/signin", await checkSignIn(parsed.data.email, clientAddress(await headers())), returnTo);
  await signInWith(parsed.data.email, parsed.data.password, returnTo, "/signin");
}

export async function signUpForm(formData: FormData) {
  await withActionContext("signUp", () => signUpWithForm(formData), busy("/signup", formData));
}

async function signUpWithForm(formData: FormData) {
  const returnTo = returnToSchema.parse(field(formData, "returnTo") || "/cart");
  const parsed = registerSchema.safeParse({ email: field(formData, "email"), password: field(formData, "password") });
  if (!parsed.success) back("/signup", "VALIDATION_ERROR", returnTo);
  backLimited("/signup", await checkRegister(clientAddress(await headers())), returnTo);
  try {
    await registerUser(parsed.data);
  } catch (err) {
    const known = toAppError(err);
    if (known && (await isCommonPassword(parsed.data.password))) back("/signup", COMMON_PASSWORD_CODE, returnTo);
    if (known) back("/signup", known.code, returnTo);
    throw err;
  }
  await signInWith(parsed.data.email, parsed.data.password, returnTo, "/signup");
}

async function signOutNow() {
  // Ours first: Auth.js's own sign-out skips its event when it cannot read its token.
  await endUserSession();
  await signOut({ redirectTo: "/cart" });
}

// Sign-out is never shed: a shopper who wants out gets out, however busy the shop is.
export async function signOutForm() {
  await withActionContext("signOut", signOutNow, signOutNow);
}
