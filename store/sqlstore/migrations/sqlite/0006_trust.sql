-- crmkit 0006: a contract remembers who drafted it, who may never approve
-- it; contracts drafted before are taken to have been drafted by their
-- owner. An activity remembers who logged it on its owner's behalf; the
-- zero ID when the owner did, as everyone did before.
ALTER TABLE {{table "contracts"}} ADD COLUMN drafted_by TEXT NOT NULL DEFAULT '';
UPDATE {{table "contracts"}} SET drafted_by = owner_id;

ALTER TABLE {{table "activities"}} ADD COLUMN logged_by TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

-- The log and the ledger are append-only. These triggers refuse every
-- UPDATE and DELETE of them but the two the store makes: a redaction (an
-- event's data replaced and marked redacted, nothing else changed) and a
-- posting marked as one of an item with mixed due dates. They stop
-- mistakes and casual edits; someone who can write the file can drop
-- them, and what they would do then is what the hash chain and the signed
-- checkpoints catch.
CREATE TRIGGER {{name "events_no_delete"}} BEFORE DELETE ON {{table "events"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: DELETE of an event refused: the log is append-only');
END;
CREATE TRIGGER {{name "events_redaction_only"}} BEFORE UPDATE ON {{table "events"}}
    WHEN NEW.redacted = 0 OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.recorded_at IS NOT OLD.recorded_at
        OR NEW.actor IS NOT OLD.actor OR NEW.event_type IS NOT OLD.event_type OR NEW.kind IS NOT OLD.kind
        OR NEW.subject IS NOT OLD.subject OR NEW.version IS NOT OLD.version OR NEW.data_hash IS NOT OLD.data_hash
        OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of an event refused: only a redaction changes an event');
END;
CREATE TRIGGER {{name "entries_no_update"}} BEFORE UPDATE ON {{table "entries"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of an entry refused: the ledger is append-only');
END;
CREATE TRIGGER {{name "entries_no_delete"}} BEFORE DELETE ON {{table "entries"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: DELETE of an entry refused: the ledger is append-only');
END;
CREATE TRIGGER {{name "postings_no_delete"}} BEFORE DELETE ON {{table "postings"}}
BEGIN
    SELECT RAISE(ABORT, 'crmkit: DELETE of a posting refused: the ledger is append-only');
END;
CREATE TRIGGER {{name "postings_mixed_due_only"}} BEFORE UPDATE ON {{table "postings"}}
    WHEN NEW.mixed_due < OLD.mixed_due OR NEW.entry_id IS NOT OLD.entry_id OR NEW.seq IS NOT OLD.seq
        OR NEW.account IS NOT OLD.account OR NEW.customer_id IS NOT OLD.customer_id OR NEW.currency IS NOT OLD.currency
        OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.item_id IS NOT OLD.item_id OR NEW.due IS NOT OLD.due
        OR NEW.due_day IS NOT OLD.due_day OR NEW.effective_day IS NOT OLD.effective_day
BEGIN
    SELECT RAISE(ABORT, 'crmkit: UPDATE of a posting refused: the ledger is append-only');
END;
