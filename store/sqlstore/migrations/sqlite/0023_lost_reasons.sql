-- crmkit 0023: a pipeline's own lost reasons, as JSON text ([{"key",
-- "label"}]); null for a pipeline that offers the default ones.
ALTER TABLE {{table "pipelines"}} ADD COLUMN lost_reasons TEXT NOT NULL DEFAULT 'null';
