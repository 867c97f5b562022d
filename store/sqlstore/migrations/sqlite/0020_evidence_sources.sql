-- crmkit 0020: evidence drawn from one of the CRM's own records (a won
-- deal, a settled invoice, a contract ended, a referral's referred
-- customer) is weighed once per record; the CRM looks it up by the
-- customer and the record it names.
CREATE INDEX {{name "evidence_source_idx"}} ON {{table "evidence"}} (customer_id, source, source_id);
