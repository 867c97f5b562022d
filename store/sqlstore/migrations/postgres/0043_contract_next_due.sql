-- crmkit 0043: a contract keeps, beside its installments, the due date of
-- its first installment not invoiced (NULL when every installment is
-- invoiced), which the store writes with every version of the contract.
-- The daily sweep that invoices the installments due reads, by the index,
-- the active contracts with one due by today, not every contract. The
-- contracts stored before take it from their installments.
ALTER TABLE {{table "contracts"}} ADD COLUMN next_due date;
UPDATE {{table "contracts"}} SET next_due = (
    SELECT min(CAST(i.value ->> 'due' AS date)) FROM jsonb_array_elements(CAST({{table "contracts"}}.installments AS jsonb)) AS i
    WHERE COALESCE(i.value ->> 'invoice', '') IN ('', '00000000-0000-0000-0000-000000000000'))
    WHERE jsonb_typeof(CAST(installments AS jsonb)) = 'array';
CREATE INDEX {{name "contracts_status_next_due_idx"}} ON {{table "contracts"}} (status, next_due, id);
