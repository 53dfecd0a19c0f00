import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { log } from "../log/logger";

// The iron-session password map. SESSION_SECRET is a comma-separated list,
// newest first: the first seals, all of them unseal. Each secret's id is
// derived from the secret itself, so adding or dropping others never
// changes it and cookies resealed during a rotation stay readable after.
// Without SESSION_SECRET (development only; production refuses to start) a
// secret is generated once under DATA_DIR.
export interface SessionPasswords {
  map: Record<string, string>;
  currentId: string;
}

// Per instance (its settings object): two markets may seal with different secrets.
const derived = new WeakMap<object, SessionPasswords>();

function generatedSecret(): string {
  const file = path.resolve(process.cwd(), env().DATA_DIR, "session-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    const secret = randomBytes(32).toString("base64url");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, secret, { mode: 0o600 });
    log.warn("SESSION_SECRET is not set: generated a development secret", { file });
    return secret;
  }
}

export function sessionPasswords(): SessionPasswords {
  const settings = env();
  const known = derived.get(settings);
  if (known) return known;
  const configured = settings.SESSION_SECRET;
  const secrets = configured.length > 0 ? configured : [generatedSecret()];
  const map: Record<string, string> = {};
  for (const secret of secrets) map[passwordId(secret)] = secret;
  const passwords = { map, currentId: passwordId(secrets[0]!) };
  derived.set(settings, passwords);
  return passwords;
}

// The map to seal with: the current secret only (sealData would pick the highest id of a larger map).
export function sealingPassword(): Record<string, string> {
  const { map, currentId } = sessionPasswords();
  return { [currentId]: map[currentId]! };
}

// A stable id per secret (digits, as iron-session wants): a secret keeps its id wherever it sits in the list.
function passwordId(secret: string): string {
  return String(parseInt(createHash("sha256").update(secret).digest("hex").slice(0, 12), 16));
}
