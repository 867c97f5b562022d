-- crmkit 0041: a customer's inbound contacts by case and time, with their
-- touchpoint, so that counting the repeats of a contact (Repeats) reads
-- the index entries of the contacts of its case (or of none) in the
-- window alone, not every contact of the customer's window and its row.
CREATE INDEX {{name "interactions_repeats_idx"}} ON {{table "interactions"}} (customer_id, case_id, at_us, touchpoint)
    WHERE inbound = 1;
