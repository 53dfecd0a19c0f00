import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Integration suites drive the built app (`next start`), so a build must
 * exist. `npm test` builds first; a direct `vitest` run says what to do.
 */
export default function setup() {
  if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` before the integration tests (npm test does this).");
  }
}
