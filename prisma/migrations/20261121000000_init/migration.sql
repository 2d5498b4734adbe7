-- CreateEnum
CREATE TYPE "IntentStatus" AS ENUM ('scheduled', 'dispatching', 'dispatched', 'failed', 'cancelled', 'expired');

-- CreateEnum
CREATE TYPE "AttemptOutcome" AS ENUM ('succeeded', 'retryable', 'permanent', 'unknown');

-- CreateTable
CREATE TABLE "callback_intent" (
    "id" UUID NOT NULL,
    "client" VARCHAR(100) NOT NULL,
    "account" VARCHAR(100) NOT NULL,
    "phone_number" VARCHAR(20) NOT NULL,
    "status" "IntentStatus" NOT NULL DEFAULT 'scheduled',
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "asap" BOOLEAN NOT NULL DEFAULT false,
    "timezone" VARCHAR(64),
    "notes" TEXT,
    "routing" JSONB NOT NULL DEFAULT '{}',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "vendor_ref" VARCHAR(200),
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "callback_intent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dispatch_attempt" (
    "id" UUID NOT NULL,
    "intent_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "outcome" "AttemptOutcome",
    "http_status" INTEGER,
    "error_code" VARCHAR(200),
    "error_message" TEXT,
    "duration_ms" INTEGER,

    CONSTRAINT "dispatch_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "client" VARCHAR(100) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("client","key")
);

-- CreateIndex
CREATE INDEX "callback_intent_status_due_idx" ON "callback_intent"("status", "due_at");

-- CreateIndex
CREATE INDEX "callback_intent_client_created_idx" ON "callback_intent"("client", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "dispatch_attempt_intent_number_key" ON "dispatch_attempt"("intent_id", "number");

-- CreateIndex
CREATE INDEX "idempotency_record_expires_idx" ON "idempotency_record"("expires_at");

-- AddForeignKey
ALTER TABLE "dispatch_attempt" ADD CONSTRAINT "dispatch_attempt_intent_id_fkey" FOREIGN KEY ("intent_id") REFERENCES "callback_intent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One live intent (scheduled or dispatching) per account and phone number.
-- Prisma's schema language cannot express a partial index, so it lives here only.
CREATE UNIQUE INDEX "callback_intent_live_phone_key" ON "callback_intent"("account", "phone_number") WHERE "status" IN ('scheduled', 'dispatching');
