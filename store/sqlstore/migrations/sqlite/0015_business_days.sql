-- crmkit 0015: the business day of each interaction and case opening, by
-- the CRM's calendar (its time zone), which the experience statistics
-- group by. Rows recorded before it have none and count on their UTC day,
-- as their day, week and month keys already do.
ALTER TABLE {{table "interactions"}} ADD COLUMN business_day TEXT;
ALTER TABLE {{table "cases"}} ADD COLUMN opened_day TEXT;
