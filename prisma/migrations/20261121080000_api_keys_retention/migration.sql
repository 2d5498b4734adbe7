-- CreateTable
CREATE TABLE "api_key" (
    "id" VARCHAR(24) NOT NULL,
    "client" VARCHAR(100) NOT NULL,
    "name" VARCHAR(100),
    "secret_hash" CHAR(64) NOT NULL,
    "scopes" VARCHAR(32)[] NOT NULL DEFAULT ARRAY[]::VARCHAR(32)[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "rotated_to" VARCHAR(24),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "api_key_client_idx" ON "api_key"("client");

-- AlterTable: retention anonymises terminal intents in place
ALTER TABLE "callback_intent" ADD COLUMN "anonymized_at" TIMESTAMPTZ(3);
