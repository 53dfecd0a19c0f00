DROP INDEX "cart_carts_one_active_per_user";--> statement-breakpoint
ALTER TABLE "cart_carts" ADD COLUMN "scope" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "cart_carts_one_active_per_user" ON "cart_carts" USING btree ("user_id","scope") WHERE "cart_carts"."status" = 'active' and "cart_carts"."user_id" is not null;