-- crmkit 0003: sales. The customer's lifecycle stage and the campaign
-- that brought them. Customers recorded before lifecycles are leads, as a
-- new customer is by default; the zero UUID is no campaign.

ALTER TABLE {{table "customers"}}
    ADD COLUMN lifecycle   text NOT NULL DEFAULT 'lead',
    ADD COLUMN campaign_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
