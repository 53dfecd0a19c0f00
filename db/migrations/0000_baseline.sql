CREATE TABLE "cart_accounts" (
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"provider" text NOT NULL,
	"provider_account_id" text NOT NULL,
	"refresh_token" text,
	"access_token" text,
	"expires_at" integer,
	"token_type" text,
	"scope" text,
	"id_token" text,
	"session_state" text,
	CONSTRAINT "cart_accounts_provider_provider_account_id_pk" PRIMARY KEY("provider","provider_account_id")
);
--> statement-breakpoint
CREATE TABLE "cart_lines" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "cart_lines_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"cart_id" uuid NOT NULL,
	"product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"added_unit_price" integer NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_lines_quantity_positive" CHECK ("cart_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "cart_carts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text,
	"status" text DEFAULT 'active' NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"currency" char(3) NOT NULL,
	"merged_into" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_carts_status_valid" CHECK ("cart_carts"."status" in ('active', 'merged', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "cart_cleanup_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cart_cleanup_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
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
CREATE TABLE "cart_idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "cart_products" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"price" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"image" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_products_price_nonnegative" CHECK ("cart_products"."price" >= 0)
);
--> statement-breakpoint
CREATE TABLE "cart_recovery_links" (
	"id" text PRIMARY KEY NOT NULL,
	"lines" jsonb NOT NULL,
	"source_cart_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cart_recovery_redemptions" (
	"token_id" text NOT NULL,
	"cart_id" uuid NOT NULL,
	"redeemed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_recovery_redemptions_token_id_cart_id_pk" PRIMARY KEY("token_id","cart_id")
);
--> statement-breakpoint
CREATE TABLE "cart_user_sessions" (
	"sid" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cart_users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"email" text,
	"email_verified" timestamp with time zone,
	"image" text,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "cart_verification_tokens" (
	"identifier" text NOT NULL,
	"token" text NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	CONSTRAINT "cart_verification_tokens_identifier_token_pk" PRIMARY KEY("identifier","token")
);
--> statement-breakpoint
ALTER TABLE "cart_accounts" ADD CONSTRAINT "cart_accounts_user_id_cart_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."cart_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_lines" ADD CONSTRAINT "cart_lines_cart_id_cart_carts_id_fk" FOREIGN KEY ("cart_id") REFERENCES "public"."cart_carts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_recovery_redemptions" ADD CONSTRAINT "cart_recovery_redemptions_cart_id_cart_carts_id_fk" FOREIGN KEY ("cart_id") REFERENCES "public"."cart_carts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cart_lines_cart_product_key" ON "cart_lines" USING btree ("cart_id","product_id");--> statement-breakpoint
CREATE INDEX "cart_carts_guest_active_updated_idx" ON "cart_carts" USING btree ("updated_at") WHERE "cart_carts"."user_id" is null and "cart_carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX "cart_carts_user_active_updated_idx" ON "cart_carts" USING btree ("updated_at") WHERE "cart_carts"."user_id" is not null and "cart_carts"."status" = 'active';--> statement-breakpoint
CREATE INDEX "cart_carts_merged_updated_idx" ON "cart_carts" USING btree ("updated_at") WHERE "cart_carts"."status" = 'merged';--> statement-breakpoint
CREATE UNIQUE INDEX "cart_carts_one_active_per_user" ON "cart_carts" USING btree ("user_id") WHERE "cart_carts"."status" = 'active' and "cart_carts"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "cart_cleanup_runs_started_at_idx" ON "cart_cleanup_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "cart_idempotency_keys_created_idx" ON "cart_idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cart_products_slug_key" ON "cart_products" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "cart_recovery_links_expires_at_idx" ON "cart_recovery_links" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "cart_recovery_redemptions_cart_idx" ON "cart_recovery_redemptions" USING btree ("cart_id");--> statement-breakpoint
CREATE INDEX "cart_recovery_redemptions_redeemed_at_idx" ON "cart_recovery_redemptions" USING btree ("redeemed_at");--> statement-breakpoint
CREATE INDEX "cart_user_sessions_user_idx" ON "cart_user_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "cart_user_sessions_revoked_at_idx" ON "cart_user_sessions" USING btree ("revoked_at") WHERE "cart_user_sessions"."revoked_at" is not null;--> statement-breakpoint
CREATE INDEX "cart_user_sessions_created_at_idx" ON "cart_user_sessions" USING btree ("created_at");