-- crmkit 0043: a contract keeps, beside its installments, the due date of
-- its first installment not invoiced (NULL when every installment is
-- invoiced), which the store writes with every version of the contract.
-- The daily sweep that invoices the installments due reads, by the index,
-- the active contracts with one due by today, not every contract. The
-- contracts stored before take it from their installments.
ALTER TABLE {{table "contracts"}} ADD COLUMN next_due TEXT;
UPDATE {{table "contracts"}} SET next_due = (
    SELECT min(json_extract(i.value, '$.due')) FROM json_each({{table "contracts"}}.installments) AS i
    WHERE COALESCE(json_extract(i.value, '$.invoice'), '') IN ('', '00000000-0000-0000-0000-000000000000'))
    WHERE json_type(installments) = 'array';
CREATE INDEX {{name "contracts_status_next_due_idx"}} ON {{table "contracts"}} (status, next_due, id);
