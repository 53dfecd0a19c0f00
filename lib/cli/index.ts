#!/usr/bin/env node
// The `next-cart` command (package.json "bin"); scripts/build-package.mjs bundles it into one
// file that plain Node runs, with nothing but Node's own modules.
import { main } from "./init";

process.exitCode = main(process.argv.slice(2), process.cwd(), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
