// Sign-up refuses the passwords people choose most: zxcvbn-ts's ranked list of common passwords
// (@zxcvbn-ts/language-common, pinned; about 49,000 entries from public breach corpora, kept with
// zxcvbn-ts), compared case-insensitively. Server-only: the list stays out of client bundles
// (the schemas the typed client shares check only the length), and it is loaded at the first
// sign-up, not when the routes load (it takes tens of milliseconds).
let common: Promise<ReadonlySet<string>> | undefined;

export async function isCommonPassword(password: string): Promise<boolean> {
  common ??= import("@zxcvbn-ts/language-common").then(({ dictionary }) => new Set(dictionary["passwords-common"].map((p) => p.toLowerCase())));
  return (await common).has(password.toLowerCase());
}

// The sign-up page's code for this refusal (lib/react/auth-messages.ts).
export const COMMON_PASSWORD_CODE = "COMMON_PASSWORD";
