// GET /api/admin/stats — what /admin draws (admins only; 404 for everyone else)
import { requireAdmin } from "@/lib/http/admin";
import { sessionRoute } from "@/lib/http/session-route";
import { dashboardStats } from "@/lib/observe/dashboard";

export const dynamic = "force-dynamic";

export const GET = sessionRoute({}, async ({ session }) => {
  await requireAdmin(session);
  return { session, json: await dashboardStats() };
});
