-- crmkit 0006: a contract remembers who drafted it, who may never approve
-- it; contracts drafted before are taken to have been drafted by their
-- owner.
ALTER TABLE {{table "contracts"}} ADD COLUMN drafted_by uuid;
UPDATE {{table "contracts"}} SET drafted_by = owner_id;
ALTER TABLE {{table "contracts"}} ALTER COLUMN drafted_by SET NOT NULL;
