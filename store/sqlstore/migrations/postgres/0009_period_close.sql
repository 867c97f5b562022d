-- crmkit 0009: period close and numbering.
--
-- period_lock has one row, written here, so that every posting can hold
-- it (FOR SHARE) from its check to its commit and a close, which updates
-- it, waits for the postings in flight: none commits into a period closed
-- meanwhile, the first close included.
CREATE TABLE {{table "period_lock"}} (
    id             integer     NOT NULL PRIMARY KEY CHECK (id = 1),
    locked_through date,
    reason         text        NOT NULL,
    updated_by     uuid        NOT NULL,
    updated_at     timestamptz,
    version        bigint      NOT NULL
);
INSERT INTO {{table "period_lock"}} (id, reason, updated_by, version)
    VALUES (1, '', '00000000-0000-0000-0000-000000000000', 0);

-- The last number taken of each numbering series in each year; the row is
-- locked by the transaction that takes a number until it ends, which keeps
-- the series gapless.
CREATE TABLE {{table "number_series"}} (
    series text    NOT NULL,
    year   integer NOT NULL,
    last   bigint  NOT NULL,
    PRIMARY KEY (series, year)
);

-- Invoice numbers are unique. Numbers given twice before this migration
-- keep the first invoice's; the later ones are marked with their ID
-- rather than making the migration fail.
UPDATE {{table "invoices"}} i SET number = i.number || ' (duplicate ' || i.id::text || ')'
    WHERE i.number <> '' AND EXISTS (
        SELECT 1 FROM {{table "invoices"}} o WHERE o.number = i.number AND o.id < i.id);
CREATE UNIQUE INDEX {{name "invoices_number_idx"}} ON {{table "invoices"}} (number) WHERE number <> '';
