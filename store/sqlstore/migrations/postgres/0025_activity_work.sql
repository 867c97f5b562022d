-- crmkit 0025: activities as work. An activity's status (pending, done
-- or cancelled; back-filled from done), its follow-up time, the reason it
-- was cancelled and its duration in nanoseconds; pending is 1 while its
-- follow-up is neither done nor cancelled, what the overdue follow-ups and
-- the deals with no next activity are found by. The work report's lists
-- are indexed: a customer's touches (activities not cancelled) by time,
-- the pending follow-ups of a deal, the active key accounts of an owner
-- and of a team.
ALTER TABLE {{table "activities"}} ADD COLUMN status text NOT NULL DEFAULT '';
ALTER TABLE {{table "activities"}} ADD COLUMN follow_up_at timestamptz;
ALTER TABLE {{table "activities"}} ADD COLUMN cancel_reason text NOT NULL DEFAULT '';
ALTER TABLE {{table "activities"}} ADD COLUMN duration_ns bigint NOT NULL DEFAULT 0;
ALTER TABLE {{table "activities"}} ADD COLUMN pending integer NOT NULL DEFAULT 1 CHECK (pending IN (0, 1));

UPDATE {{table "activities"}} SET
    status = CASE WHEN done THEN 'done' ELSE 'pending' END,
    pending = CASE WHEN done THEN 0 ELSE 1 END;

DROP INDEX {{table "activities_follow_up_idx"}};
CREATE INDEX {{name "activities_pending_idx"}} ON {{table "activities"}} (follow_up)
    WHERE follow_up IS NOT NULL AND pending = 1;
CREATE INDEX {{name "activities_next_idx"}} ON {{table "activities"}} (deal_id)
    WHERE follow_up IS NOT NULL AND pending = 1;
CREATE INDEX {{name "activities_touch_idx"}} ON {{table "activities"}} (customer_id, at_us)
    WHERE status <> 'cancelled';
CREATE INDEX {{name "customers_key_owner_idx"}} ON {{table "customers"}} (owner_id, id)
    WHERE key_account = TRUE AND status = 'active';
CREATE INDEX {{name "customers_key_team_idx"}} ON {{table "customers"}} (team, id)
    WHERE key_account = TRUE AND status = 'active';
