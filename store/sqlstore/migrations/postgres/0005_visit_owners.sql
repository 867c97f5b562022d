-- crmkit 0005: each stage visit keeps its deal's pipeline, owner and team,
-- written with the visits whenever the deal is saved, so that stage
-- velocity adds up the visits of a pipeline without joining every visit
-- to its deal.
ALTER TABLE {{table "deal_visits"}} ADD COLUMN pipeline_id uuid, ADD COLUMN owner_id uuid, ADD COLUMN team text;

UPDATE {{table "deal_visits"}} v SET pipeline_id = d.pipeline_id, owner_id = d.owner_id, team = d.team
FROM {{table "deals"}} d WHERE d.id = v.deal_id;

ALTER TABLE {{table "deal_visits"}} ALTER COLUMN pipeline_id SET NOT NULL, ALTER COLUMN owner_id SET NOT NULL,
    ALTER COLUMN team SET NOT NULL;

CREATE INDEX {{name "deal_visits_pipeline_idx"}} ON {{table "deal_visits"}} (pipeline_id, stage, left_us, micros)
    WHERE left_us IS NOT NULL;
