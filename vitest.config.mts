import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // Files of a worker share one module graph (see the integration project).
          isolate: false,
          setupFiles: ["test/support/next-runtime.ts"],
          sequence: { groupOrder: 0 },
          // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses.
          server: { deps: { inline: ["next-auth"] } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "components",
          include: ["test/components/**/*.test.tsx"],
          environment: "jsdom",
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          // Suites make instances of the module in-process too (lib/server imports next-auth).
          server: { deps: { inline: ["next-auth"] } },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Suites start their own app servers; two at a time fits a 2-core machine.
          maxWorkers: 2,
          // The files of a worker share one module graph instead of importing the module, Next.js,
          // Auth.js and Drizzle afresh each (two fifths of a short file's CPU): the runtime is an
          // instance, so suites share no state through modules, and each makes its own instances,
          // databases, key prefixes and ports. What Next.js's server sets up before any route loads
          // is set before every file, so no file can be the first to load next/headers without it.
          isolate: false,
          setupFiles: ["test/support/next-runtime.ts"],
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve: { alias },
        test: {
          // Load scenarios (the bench's quick smoke, the cleanup under load): `npm run test:load`, not `npm test`.
          name: "load",
          include: ["test/load/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
