-- Every change to a cart updates its row; room left in each page lets those updates stay on the page (HOT). Set before the column below rewrites the table.
ALTER TABLE "cart_carts" SET (fillfactor = 85);--> statement-breakpoint
DROP INDEX "cart_carts_guest_active_updated_idx";--> statement-breakpoint
DROP INDEX "cart_carts_user_active_updated_idx";--> statement-breakpoint
DROP INDEX "cart_carts_merged_updated_idx";--> statement-breakpoint
ALTER TABLE "cart_carts" ADD COLUMN "updated_bucket" timestamp GENERATED ALWAYS AS (date_bin('10 minutes', updated_at at time zone 'UTC', timestamp '2000-01-01')) STORED;--> statement-breakpoint
CREATE INDEX "cart_carts_guest_active_bucket_idx" ON "cart_carts" USING btree ("updated_bucket") WHERE "cart_carts"."user_id" is null and "cart_carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX "cart_carts_user_active_bucket_idx" ON "cart_carts" USING btree ("updated_bucket") WHERE "cart_carts"."user_id" is not null and "cart_carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX "cart_carts_merged_bucket_idx" ON "cart_carts" USING btree ("updated_bucket") WHERE "cart_carts"."status" in ('merged', 'ordered');