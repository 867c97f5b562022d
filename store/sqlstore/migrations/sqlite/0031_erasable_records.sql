-- crmkit 0031: erasable records. The ledger stays append-only, but for
-- the erasure of what an entry says about a person: an UPDATE that names
-- the description, or sets the request's digest to zeros (a digest of a
-- request that held a payment reference would confirm a guess of it),
-- goes through; one that names any other column of an entry, or sets the
-- digest to anything else, is refused as before. (A column added to
-- entries later belongs in this list.) Postings, and deletes, are refused
-- as before.
DROP TRIGGER {{name "entries_no_update"}};
CREATE TRIGGER {{name "entries_no_update"}} BEFORE UPDATE OF id, kind, customer_id, document_id, effective, effective_day,
    recorded_at, recorded_by, postings, reverses, reversed_kind, idempotency_key ON {{table "entries"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of an entry refused: the ledger is append-only, but for the erasure of a description');
END;
CREATE TRIGGER {{name "entries_request_hash_erased_only"}} BEFORE UPDATE OF request_hash ON {{table "entries"}}
    WHEN NEW.request_hash IS NOT zeroblob(32)
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of an entry refused: a request digest is only erased, to zeros');
END;
