CREATE TABLE "cleanup_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cleanup_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"trigger" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"batches" integer NOT NULL,
	"deleted" jsonb NOT NULL,
	"complete" boolean NOT NULL,
	"error" text
);
--> statement-breakpoint
DROP INDEX IF EXISTS "carts_status_updated_at_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "cleanup_runs_started_at_idx" ON "cleanup_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "carts_guest_active_updated_idx" ON "carts" USING btree ("updated_at") WHERE "carts"."user_id" is null and "carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "carts_user_active_updated_idx" ON "carts" USING btree ("updated_at") WHERE "carts"."user_id" is not null and "carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "carts_merged_updated_idx" ON "carts" USING btree ("updated_at") WHERE "carts"."status" = 'merged';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "recovery_redemptions_cart_idx" ON "recovery_redemptions" USING btree ("cart_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "recovery_redemptions_redeemed_at_idx" ON "recovery_redemptions" USING btree ("redeemed_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "user_sessions_revoked_at_idx" ON "user_sessions" USING btree ("revoked_at") WHERE "user_sessions"."revoked_at" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "user_sessions_created_at_idx" ON "user_sessions" USING btree ("created_at");