import { sql } from "drizzle-orm";
import { currentRuntime } from "../runtime/context";
import { eventsRecorded } from "./outbox";

// Remembers the email a user signed in with (cart_user_emails), while events are on: events
// carry it as `email`, and an abandoned cart is told only when it is known. Users in the
// module's own accounts table (the Auth.js integration) are known without it.
export async function rememberOwnerEmail(userId: string, email: string | null): Promise<void> {
  if (!email || !eventsRecorded()) return;
  await (await currentRuntime().db()).execute(sql`
    insert into cart_user_emails (user_id, email, updated_at) values (${userId}, ${email}, now())
    on conflict (user_id) do update set email = excluded.email, updated_at = excluded.updated_at
    where cart_user_emails.email <> excluded.email`);
}
