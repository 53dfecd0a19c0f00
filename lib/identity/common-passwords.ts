import { dictionary } from "@zxcvbn-ts/language-common";

// Sign-up refuses the passwords people choose most: zxcvbn-ts's ranked list of common passwords
// (@zxcvbn-ts/language-common, pinned; about 49,000 entries from public breach corpora, kept with
// zxcvbn-ts), compared case-insensitively. Server-only: the list stays out of client bundles
// (the schemas the typed client shares check only the length).
let common: ReadonlySet<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

// The sign-up page's code for this refusal (lib/react/auth-messages.ts).
export const COMMON_PASSWORD_CODE = "COMMON_PASSWORD";
