-- crmkit 0012: a credit note names the invoice it credits (the zero ID
-- for payments, and for credit notes recorded before, which named none);
-- earlier credit notes on an invoice are found by it. An invoice keeps the
-- total its lines' discounts took off: zero, in its currency, for those
-- issued before discounts existed. (A line's discount is in the lines'
-- JSON text, absent for none.)
ALTER TABLE {{table "credits"}} ADD COLUMN invoice_id TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
CREATE INDEX {{name "credits_invoice_idx"}} ON {{table "credits"}} (invoice_id, id);

ALTER TABLE {{table "invoices"}} ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "invoices"}} ADD COLUMN discount_currency TEXT NOT NULL DEFAULT '';
UPDATE {{table "invoices"}} SET discount_currency = currency;
