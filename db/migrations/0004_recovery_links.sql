CREATE TABLE "recovery_links" (
	"id" text PRIMARY KEY NOT NULL,
	"lines" jsonb NOT NULL,
	"source_cart_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "recovery_links_expires_at_idx" ON "recovery_links" USING btree ("expires_at");