-- crmkit 0021: a user's records follow them to another team, set-based by
-- owner; the stage visits, which carry their deal's team, get the owner
-- index the other tables have. The public pool looks for each customer's
-- latest activity of its owner.
CREATE INDEX {{name "deal_visits_owner_idx"}} ON {{table "deal_visits"}} (owner_id);
CREATE INDEX {{name "activities_customer_owner_idx"}} ON {{table "activities"}} (customer_id, owner_id, at_us);
