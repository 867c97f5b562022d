-- crmkit 0006: a contract remembers who drafted it, who may never approve
-- it; contracts drafted before are taken to have been drafted by their
-- owner. An activity remembers who logged it on its owner's behalf; the
-- zero ID when the owner did, as everyone did before.
ALTER TABLE {{table "contracts"}} ADD COLUMN drafted_by TEXT NOT NULL DEFAULT '';
UPDATE {{table "contracts"}} SET drafted_by = owner_id;

ALTER TABLE {{table "activities"}} ADD COLUMN logged_by TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
