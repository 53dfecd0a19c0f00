import { readFile } from "node:fs/promises";
import path from "node:path";

// The API reference page: Scalar's standalone bundle, served by the app
// itself, pointed at the app's own document. Nothing comes from another
// host (no CDN, no web fonts, no telemetry), so the page works offline; its
// Content-Security-Policy holds it to that.

export const SCALAR_VERSION = "1.46.4";

const BUNDLE = path.join("node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

let bundle: Promise<Buffer> | undefined;

// Read once per process; a failed read is retried on the next request.
export function scalarBundle(): Promise<Buffer> {
  bundle ??= readFile(path.join(process.cwd(), BUNDLE)).catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Scalar sets styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeAttribute = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;").replace(/</g, "&lt;");

export function referenceHtml(options: { specUrl: string; bundleUrl: string; title?: string }): string {
  const configuration = JSON.stringify({
    url: options.specUrl,
    withDefaultFonts: false,
    telemetry: false,
    hideClientButton: true,
    agent: { disabled: true },
    showDeveloperTools: "never",
  });
  const title = options.title ?? "API reference";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttribute(title)}</title>
</head>
<body>
<noscript>The reference needs JavaScript. The document itself is at <a href="${escapeAttribute(options.specUrl)}">${escapeAttribute(options.specUrl)}</a>.</noscript>
<script id="api-reference" type="application/json" data-configuration="${escapeAttribute(configuration)}"></script>
<script src="${escapeAttribute(options.bundleUrl)}"></script>
</body>
</html>
`;
}
