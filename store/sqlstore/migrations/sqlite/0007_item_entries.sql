-- crmkit 0007: the entries that post to one invoice or credit (a
-- document's allocations, write-offs and reversals), found by the item
-- their postings name rather than by reading the customer's ledger.
CREATE INDEX {{name "postings_item_entry_idx"}} ON {{table "postings"}} (item_id, entry_id);
