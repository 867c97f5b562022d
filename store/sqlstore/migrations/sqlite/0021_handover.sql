-- crmkit 0021: a user's records follow them to another team, set-based by
-- owner; the stage visits, which carry their deal's team, get the owner
-- index the other tables have.
CREATE INDEX {{name "deal_visits_owner_idx"}} ON {{table "deal_visits"}} (owner_id);
