-- crmkit 0010: contracts that change after signing. An amendment names
-- the contract it amends and counts the amendments up to it; a contract
-- replaced by a signed amendment names it; a renewal names the contract
-- whose term it continues. Contracts stored before amend and renew
-- nothing, the zero ID. The sweep that expires contracts finds them by
-- status and date.
ALTER TABLE {{table "contracts"}} ADD COLUMN amends_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE {{table "contracts"}} ADD COLUMN revision bigint NOT NULL DEFAULT 0;
ALTER TABLE {{table "contracts"}} ADD COLUMN superseded_by uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE {{table "contracts"}} ADD COLUMN renews_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

CREATE INDEX {{name "contracts_amends_idx"}} ON {{table "contracts"}} (amends_id, id);
CREATE INDEX {{name "contracts_renews_idx"}} ON {{table "contracts"}} (renews_id, id);
CREATE INDEX {{name "contracts_status_start_idx"}} ON {{table "contracts"}} (status, start_date, id);
CREATE INDEX {{name "contracts_status_end_idx"}} ON {{table "contracts"}} (status, end_date, id);
