-- crmkit 0016: why each interaction's survey was asked, relationship or
-- transactional, which the experience statistics can be asked apart by.
-- Surveys recorded before it were asked after a contact: transactional.
ALTER TABLE {{table "interactions"}} ADD COLUMN survey_kind text NOT NULL DEFAULT '';
UPDATE {{table "interactions"}} SET survey_kind = 'transactional'
    WHERE nps IS NOT NULL OR csat IS NOT NULL OR ces IS NOT NULL;
