import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  // Tests read arbitrary JSON responses; typing every body would add noise, not safety.
  { files: ["test/**", "bench/**", "e2e/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  { ignores: [".next/**", ".data/**", "node_modules/**", "playwright-report/**", "test-results/**", "next-env.d.ts"] },
];

export default config;
