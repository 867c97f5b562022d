-- crmkit 0026: privacy. An event's data digest is keyed with a random salt
-- of its own (data_salt; NULL for events recorded before, whose digest is
-- plain SHA-256), which an erasure sets to NULL along with the data, so
-- that the digest the chain keeps no longer confirms a guess of what was
-- erased. A customer says whether it is a person or an organization
-- (party), which decides whether its name is personal data; existing
-- customers take what their kind suggested until now.
ALTER TABLE {{table "events"}} ADD COLUMN data_salt BLOB;
ALTER TABLE {{table "customers"}} ADD COLUMN party TEXT NOT NULL DEFAULT '';
UPDATE {{table "customers"}} SET party = CASE WHEN kind = 'end_customer' THEN 'person' ELSE 'organization' END;
