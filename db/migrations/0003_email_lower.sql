-- Emails are one account per address whatever its case (a review finding: a GitHub sign-in with
-- Admin@x.example became a second user beside admin@x.example). Existing rows first:
-- an address held by several accounts in different cases stays with the oldest account; the
-- later ones keep their account (a provider's sign-in still finds it by its cart_accounts row,
-- their carts stay theirs) but lose the email, so no one can sign in to them by that address.
-- An operator finds them with `select id from cart_users where email is null`.
WITH "ranked" AS (
  SELECT "id", row_number() OVER (PARTITION BY lower(btrim("email")) ORDER BY "created_at", "id") AS "n"
  FROM "cart_users" WHERE "email" IS NOT NULL
)
UPDATE "cart_users" SET "email" = NULL FROM "ranked" WHERE "cart_users"."id" = "ranked"."id" AND "ranked"."n" > 1;--> statement-breakpoint
UPDATE "cart_users" SET "email" = lower(btrim("email")) WHERE "email" <> lower(btrim("email"));--> statement-breakpoint
ALTER TABLE "cart_users" DROP CONSTRAINT "cart_users_email_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "cart_users_email_lower_key" ON "cart_users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "cart_recovery_links_source_idx" ON "cart_recovery_links" USING btree ("source_cart_id","created_at");
