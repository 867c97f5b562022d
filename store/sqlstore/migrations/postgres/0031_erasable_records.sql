-- crmkit 0031: erasable records. The ledger stays append-only, but for
-- the erasure of what an entry says about a person: an UPDATE that names
-- the description, or sets the request's digest to zeros (a digest of a
-- request that held a payment reference would confirm a guess of it),
-- goes through; one that names any other column of an entry is refused
-- as before, and so is one that changes anything else, or the digest to
-- anything but zeros, whatever it names (a column added to entries later
-- included). Postings, deletes and truncates are
-- refused as before.
DROP TRIGGER {{name "entries_no_rewrite"}} ON {{table "entries"}};

CREATE FUNCTION {{table "entries_description_only"}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW) - 'description' - 'request_hash' IS DISTINCT FROM to_jsonb(OLD) - 'description' - 'request_hash'
        OR (NEW.request_hash IS DISTINCT FROM OLD.request_hash AND NEW.request_hash IS DISTINCT FROM decode(repeat('00', 32), 'hex')) THEN
        RAISE EXCEPTION 'crmkit: UPDATE of entry % refused: the ledger is append-only, but for the erasure of a description', OLD.id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER {{name "entries_no_rewrite"}} BEFORE DELETE OR UPDATE OF id, kind, customer_id, document_id, effective,
    effective_day, recorded_at, recorded_by, postings, reverses, reversed_kind, idempotency_key
    ON {{table "entries"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "entries_description_only"}} BEFORE UPDATE ON {{table "entries"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "entries_description_only"}}();
