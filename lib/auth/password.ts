import { hash, verify } from "@node-rs/argon2";

/**
 * Argon2id, memory-hard. Parameters follow OWASP's minimum (19 MiB, 2
 * passes); a verify costs a few tens of milliseconds, which is the point.
 */
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A real hash of nothing: unknown emails cost the same time as wrong passwords. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword("not-a-real-password-0000");
  return dummy;
}
