-- crmkit 0022: campaigns. A deal opened without naming a campaign is
-- attributed to the one that brought its customer (the lead's source);
-- the deals recorded before, open and closed, whose campaign is empty
-- take their customer's, so the campaigns' reports on old data count the
-- leads' deals and wins. The zero UUID is no campaign.
UPDATE {{table "deals"}}
   SET campaign_id = (SELECT c.campaign_id FROM {{table "customers"}} c WHERE c.id = {{table "deals"}}.customer_id)
 WHERE campaign_id = '00000000-0000-0000-0000-000000000000'
   AND EXISTS (SELECT 1 FROM {{table "customers"}} c
                WHERE c.id = {{table "deals"}}.customer_id AND c.campaign_id <> '00000000-0000-0000-0000-000000000000');
