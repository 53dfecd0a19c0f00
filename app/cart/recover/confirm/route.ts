// POST /cart/recover/confirm — the recovery page's "Add to my cart" form: restore the link's snapshot
import { confirmRecoveryLink } from "@/lib/http/recovery";
import { withRequestLog } from "@/lib/observe/request-context";

export const dynamic = "force-dynamic";

export const POST = withRequestLog("/cart/recover/confirm", confirmRecoveryLink);
