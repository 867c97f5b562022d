-- crmkit 0031: erasable records. The ledger stays append-only, but for
-- the erasure of what an entry's description says about a person: an
-- UPDATE that names the description alone goes through, one that names
-- any other column of an entry is refused as before. (A column added to
-- entries later belongs in this list.) Postings, and deletes, are refused
-- as before.
DROP TRIGGER {{name "entries_no_update"}};
CREATE TRIGGER {{name "entries_no_update"}} BEFORE UPDATE OF id, kind, customer_id, document_id, effective, effective_day,
    recorded_at, recorded_by, postings, reverses, reversed_kind, idempotency_key, request_hash ON {{table "entries"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of an entry refused: the ledger is append-only, but for the erasure of a description');
END;
