-- crmkit 0028: restriction of processing and retention. A customer whose
-- processing is restricted (Article 18 GDPR) keeps when it was; the few
-- restricted customers are indexed apart, so that the sweeps and reports
-- that pass them over (the ladder's fading, by its states) look them up
-- cheaply. The retention sweep finds the leads never converted and not
-- changed since its cutoff, not erased and not restricted, by their
-- lifecycle stage and last change.
ALTER TABLE {{table "customers"}} ADD COLUMN restricted_at TEXT;
CREATE INDEX {{name "customers_restricted_idx"}} ON {{table "customers"}} (id)
    WHERE restricted_at IS NOT NULL;
CREATE INDEX {{name "customers_retention_idx"}} ON {{table "customers"}} (lifecycle, updated_at)
    WHERE erased_at IS NULL AND restricted_at IS NULL;
