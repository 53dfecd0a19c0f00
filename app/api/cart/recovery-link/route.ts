// POST /api/cart/recovery-link — a signed, expiring link that restores a copy of this cart
import { createRecoveryLink } from "@/lib/cart/recovery";
import { sessionRoute } from "@/lib/http/session-route";
import { publicOrigin } from "@/lib/http/request";

export const POST = sessionRoute({ mutation: true }, async ({ req, session }) => {
  const { session: current, link } = await createRecoveryLink(session, publicOrigin(req));
  return { session: current, status: 201, json: link };
});
