import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log/logger";

/**
 * The iron-session password map. SESSION_SECRET is a comma-separated list,
 * newest first; ids count from the oldest (the last gets 1), so prepending a
 * new secret keeps every older secret's id and old cookies stay readable.
 * Without SESSION_SECRET (development only; production refuses to start) a
 * secret is generated once under DATA_DIR.
 */
export interface SessionPasswords {
  map: Record<string, string>;
  currentId: string;
}

let cached: SessionPasswords | undefined;

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
  if (cached) return cached;
  const configured = env().SESSION_SECRET;
  const secrets = configured.length > 0 ? configured : [generatedSecret()];
  const map: Record<string, string> = {};
  secrets.forEach((secret, i) => {
    map[String(secrets.length - i)] = secret;
  });
  cached = { map, currentId: String(secrets.length) };
  return cached;
}
