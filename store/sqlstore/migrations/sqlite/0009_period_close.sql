-- crmkit 0009: period close and numbering. SQLite runs one writer at a
-- time, so the lock date needs no row lock; the single row is written
-- here so that both dialects read it alike.
CREATE TABLE {{table "period_lock"}} (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    locked_through TEXT,
    reason         TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_at     TEXT,
    version        INTEGER NOT NULL
);
INSERT INTO {{table "period_lock"}} (id, reason, updated_by, version)
    VALUES (1, '', '00000000-0000-0000-0000-000000000000', 0);

-- The last number taken of each numbering series in each year.
CREATE TABLE {{table "number_series"}} (
    series TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);

-- Invoice numbers are unique. Numbers given twice before this migration
-- keep the first invoice's; the later ones are marked with their ID
-- rather than making the migration fail.
UPDATE {{table "invoices"}} SET number = number || ' (duplicate ' || id || ')'
    WHERE number <> '' AND EXISTS (
        SELECT 1 FROM {{table "invoices"}} o WHERE o.number = {{table "invoices"}}.number AND o.id < {{table "invoices"}}.id);
CREATE UNIQUE INDEX {{name "invoices_number_idx"}} ON {{table "invoices"}} (number) WHERE number <> '';
