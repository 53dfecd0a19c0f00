import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  // Tests read arbitrary JSON responses; typing every body would add noise, not safety.
  { files: ["test/**", "bench/**", "e2e/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  // The demo storefront is a host like any other: it reaches the module only through its entry points.
  {
    files: ["app/**", "instrumentation.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/lib/*", "@/db/*", "**/lib/*", "**/db/*"], message: "Import from next-cart/server, next-cart/react or next-cart/client." },
            { group: ["next-cart/*", "!next-cart/server", "!next-cart/react", "!next-cart/client", "!next-cart/react/styles.css"], message: "Only the public entry points." },
          ],
        },
      ],
    },
  },
  { ignores: [".next/**", ".data/**", "node_modules/**", "playwright-report/**", "test-results/**", "next-env.d.ts", "dist/**", "examples/*/.next/**", "examples/*/.data/**", "examples/*/next-env.d.ts"] },
];

export default config;
