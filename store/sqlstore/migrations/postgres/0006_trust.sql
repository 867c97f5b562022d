-- crmkit 0006: a contract remembers who drafted it, who may never approve
-- it; contracts drafted before are taken to have been drafted by their
-- owner. An activity remembers who logged it on its owner's behalf; the
-- zero ID when the owner did, as everyone did before.
ALTER TABLE {{table "contracts"}} ADD COLUMN drafted_by uuid;
UPDATE {{table "contracts"}} SET drafted_by = owner_id;
ALTER TABLE {{table "contracts"}} ALTER COLUMN drafted_by SET NOT NULL;

ALTER TABLE {{table "activities"}} ADD COLUMN logged_by uuid;
UPDATE {{table "activities"}} SET logged_by = '00000000-0000-0000-0000-000000000000';
ALTER TABLE {{table "activities"}} ALTER COLUMN logged_by SET NOT NULL;

-- The log and the ledger are append-only. These triggers refuse every
-- UPDATE, DELETE and TRUNCATE of them but the two the store makes: a
-- redaction (an event's data replaced and marked redacted, nothing else
-- changed) and a posting marked as one of an item with mixed due dates.
-- They stop mistakes and casual edits; someone who owns the database can
-- drop them, and what they would do then is what the hash chain and the
-- signed checkpoints catch.
CREATE FUNCTION {{table "refuse_rewrite"}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'crmkit: % of % refused: the log and the ledger are append-only', TG_OP, TG_TABLE_NAME;
END $$;

CREATE FUNCTION {{table "events_redaction_only"}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.redacted OR ROW(NEW.seq, NEW.id, NEW.recorded_at, NEW.actor, NEW.event_type, NEW.kind, NEW.subject,
            NEW.version, NEW.data_hash, NEW.prev_hash, NEW.hash)
        IS DISTINCT FROM ROW(OLD.seq, OLD.id, OLD.recorded_at, OLD.actor, OLD.event_type, OLD.kind, OLD.subject,
            OLD.version, OLD.data_hash, OLD.prev_hash, OLD.hash) THEN
        RAISE EXCEPTION 'crmkit: UPDATE of event % refused: only a redaction changes an event', OLD.seq;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {{table "postings_mixed_due_only"}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mixed_due < OLD.mixed_due OR ROW(NEW.entry_id, NEW.seq, NEW.account, NEW.customer_id, NEW.currency,
            NEW.amount_minor, NEW.item_id, NEW.due, NEW.due_day, NEW.effective_day)
        IS DISTINCT FROM ROW(OLD.entry_id, OLD.seq, OLD.account, OLD.customer_id, OLD.currency,
            OLD.amount_minor, OLD.item_id, OLD.due, OLD.due_day, OLD.effective_day) THEN
        RAISE EXCEPTION 'crmkit: UPDATE of a posting of entry % refused: the ledger is append-only', OLD.entry_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER {{name "events_no_delete"}} BEFORE DELETE ON {{table "events"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "events_no_truncate"}} BEFORE TRUNCATE ON {{table "events"}}
    FOR EACH STATEMENT EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "events_redaction_only"}} BEFORE UPDATE ON {{table "events"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "events_redaction_only"}}();
CREATE TRIGGER {{name "entries_no_rewrite"}} BEFORE UPDATE OR DELETE ON {{table "entries"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "entries_no_truncate"}} BEFORE TRUNCATE ON {{table "entries"}}
    FOR EACH STATEMENT EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "postings_no_delete"}} BEFORE DELETE ON {{table "postings"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "postings_no_truncate"}} BEFORE TRUNCATE ON {{table "postings"}}
    FOR EACH STATEMENT EXECUTE FUNCTION {{table "refuse_rewrite"}}();
CREATE TRIGGER {{name "postings_mixed_due_only"}} BEFORE UPDATE ON {{table "postings"}}
    FOR EACH ROW EXECUTE FUNCTION {{table "postings_mixed_due_only"}}();

-- Writers do not queue on event_head: they append their events here,
-- unchained, numbered by a sequence in the order they were appended; a
-- short sealing transaction, the only one that locks event_head, moves
-- the committed ones into events with their seq and hashes, oldest first
-- (see the package docs). A crash loses no event: what is not sealed is
-- still here, and the next seal takes it.
CREATE TABLE {{table "event_inbox"}} (
    pending     bigserial   NOT NULL PRIMARY KEY,
    id          uuid        NOT NULL UNIQUE,
    recorded_at timestamptz NOT NULL,
    actor       uuid        NOT NULL,
    event_type  text        NOT NULL,
    kind        text        NOT NULL,
    subject     uuid        NOT NULL,
    version     bigint      NOT NULL,
    data        text,
    data_hash   bytea       NOT NULL,
    redacted    boolean     NOT NULL DEFAULT false
);

CREATE INDEX {{name "event_inbox_subject_idx"}} ON {{table "event_inbox"}} (kind, subject, pending);
