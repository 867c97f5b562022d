-- crmkit 0042: evidence the CRM weighed at the very instant of its write
-- keeps its arrival number (arrival: the customer's evidence count with
-- it; 0 for evidence dated from later): at its instant it goes after the
-- evidence dated there from later, in the order it arrived, so a write at
-- the instant of the customer's last one is in order whatever it says. A
-- ladder state keeps where its last evidence stands in the ladder's order
-- (last_at, last_arrival, with last_evidence), so that deciding whether
-- new evidence arrived late reads no evidence. The evidence stored before
-- was ordered by what it says, as evidence dated from later still is:
-- its arrival is 0; the states take their last evidence's time from it.
ALTER TABLE {{table "evidence"}} ADD COLUMN arrival INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_at TEXT;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_arrival INTEGER NOT NULL DEFAULT 0;
UPDATE {{table "ladder_states"}} SET last_at = (SELECT e.at FROM {{table "evidence"}} e WHERE e.id = {{table "ladder_states"}}.last_evidence)
    WHERE last_evidence <> '00000000-0000-0000-0000-000000000000';
