-- Calling windows and business hours (issue 11): the time the client asked for,
-- and why the effective dispatch time (due_at) differs from it.
ALTER TABLE "callback_intent" ADD COLUMN "requested_at" TIMESTAMPTZ(3);
ALTER TABLE "callback_intent" ADD COLUMN "schedule" JSONB;
UPDATE "callback_intent" SET "requested_at" = "due_at" WHERE "requested_at" IS NULL;

-- Counting recent calls to one number on one account (regions with maxAttemptsPer24h).
CREATE INDEX "callback_intent_account_phone_idx" ON "callback_intent"("account", "phone_number");
