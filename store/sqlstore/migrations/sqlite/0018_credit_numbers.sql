-- crmkit 0018: a credit note carries its number in the credit notes'
-- series (CN-2026-00001); payments, and credit notes recorded before,
-- have none. No two credit notes share a number.
ALTER TABLE {{table "credits"}} ADD COLUMN number TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX {{name "credits_number_idx"}} ON {{table "credits"}} (number) WHERE number <> '';
