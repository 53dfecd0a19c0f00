import { z } from "zod";

// zod for the cart's client components. On first use zod v4 probes whether it may compile
// validators (`Function("")`, caught when refused); under a page Content-Security-Policy without
// 'unsafe-eval' (next.config.ts securityHeaders()) the browser reports that probe as a violation.
// The client's schemas are a few small objects: the interpreter is plenty, and no probe runs.
z.config({ jitless: true });

export { z };
