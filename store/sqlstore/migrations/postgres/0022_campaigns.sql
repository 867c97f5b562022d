-- crmkit 0022: campaigns. A deal opened without naming a campaign is
-- attributed to the one that brought its customer (the lead's source);
-- the deals recorded before, open and closed, whose campaign is empty
-- take their customer's, so the campaigns' reports on old data count the
-- leads' deals and wins. The zero UUID is no campaign.
UPDATE {{table "deals"}} AS d
   SET campaign_id = c.campaign_id
  FROM {{table "customers"}} AS c
 WHERE c.id = d.customer_id
   AND d.campaign_id = '00000000-0000-0000-0000-000000000000'
   AND c.campaign_id <> '00000000-0000-0000-0000-000000000000';
