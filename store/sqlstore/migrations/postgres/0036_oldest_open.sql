-- crmkit 0036: what is owed on a customer's invoices in a currency, oldest
-- due first, so that a payment applied oldest first reads a page of the
-- invoices it settles (OldestOpen) rather than every open item of the
-- customer.
CREATE INDEX {{name "open_items_oldest_idx"}} ON {{table "open_items"}} (customer_id, account, currency, due NULLS FIRST, item_id)
    WHERE open_high > 0 OR (open_high = 0 AND open_low > 0);
