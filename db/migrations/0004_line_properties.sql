CREATE TABLE "cart_checkouts" (
	"id" text PRIMARY KEY NOT NULL,
	"cart_id" uuid NOT NULL,
	"user_id" text,
	"scope" text DEFAULT 'default' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"cart_version" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"lines" jsonb NOT NULL,
	"note" text,
	"item_count" integer NOT NULL,
	"subtotal" integer NOT NULL,
	"notices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"order_id" text,
	"next_cart_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "cart_checkouts_status_valid" CHECK ("cart_checkouts"."status" in ('open', 'completed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "cart_carts" DROP CONSTRAINT "cart_carts_status_valid";--> statement-breakpoint
DROP INDEX "cart_lines_cart_product_key";--> statement-breakpoint
DROP INDEX "cart_carts_merged_updated_idx";--> statement-breakpoint
ALTER TABLE "cart_lines" ADD COLUMN "line_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "cart_lines" ADD COLUMN "properties" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "cart_carts" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "cart_recovery_links" ADD COLUMN "note" text;--> statement-breakpoint
CREATE INDEX "cart_checkouts_cart_idx" ON "cart_checkouts" USING btree ("cart_id","created_at");--> statement-breakpoint
CREATE INDEX "cart_checkouts_next_cart_idx" ON "cart_checkouts" USING btree ("next_cart_id") WHERE "cart_checkouts"."next_cart_id" is not null;--> statement-breakpoint
CREATE INDEX "cart_checkouts_user_idx" ON "cart_checkouts" USING btree ("user_id","scope","created_at") WHERE "cart_checkouts"."user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "cart_lines_cart_line_key" ON "cart_lines" USING btree ("cart_id","product_id","line_key");--> statement-breakpoint
CREATE INDEX "cart_carts_merged_updated_idx" ON "cart_carts" USING btree ("updated_at") WHERE "cart_carts"."status" in ('merged', 'ordered');--> statement-breakpoint
ALTER TABLE "cart_carts" ADD CONSTRAINT "cart_carts_status_valid" CHECK ("cart_carts"."status" in ('active', 'merged', 'closed', 'ordered'));