CREATE TABLE "cart_abandonments" (
	"cart_id" uuid PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cart_event_outbox" (
	"id" text NOT NULL,
	"endpoint" text NOT NULL,
	"scope" text NOT NULL,
	"type" text NOT NULL,
	"cart_id" uuid,
	"cart_version" integer,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"last_status" integer,
	"last_error" text,
	CONSTRAINT "cart_event_outbox_id_endpoint_pk" PRIMARY KEY("id","endpoint")
);
--> statement-breakpoint
CREATE TABLE "cart_user_emails" (
	"user_id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cart_abandonments" ADD CONSTRAINT "cart_abandonments_cart_id_cart_carts_id_fk" FOREIGN KEY ("cart_id") REFERENCES "public"."cart_carts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cart_event_outbox_due_idx" ON "cart_event_outbox" USING btree ("scope","next_attempt_at") WHERE "cart_event_outbox"."delivered_at" is null and "cart_event_outbox"."failed_at" is null;--> statement-breakpoint
CREATE INDEX "cart_event_outbox_created_idx" ON "cart_event_outbox" USING btree ("created_at");