import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { runCleanupNowAction } from "@/app/actions/admin";
import { cart } from "@/app/_demo/cart";
import { AdminDashboard } from "./dashboard";

export const metadata: Metadata = { title: "Operations", robots: { index: false, follow: false } };

// Admins only (ADMIN_USER_IDS, or a verified ADMIN_EMAILS address); to guests and other shoppers the page does not exist.
export default async function AdminPage() {
  const { user } = await cart.getSessionForRender();
  if (!user || !(await cart.admin.isAdmin(user.id))) notFound();
  return (
    <div className="container admin">
      <h1>Operations</h1>
      <p className="muted">
        This instance&apos;s metrics (snapshots every few seconds, last 15 minutes) and the database&apos;s counts, refreshed every 5 seconds. Signed
        in as {user.email}.
      </p>
      <AdminDashboard runCleanup={runCleanupNowAction} />
    </div>
  );
}
