-- crmkit 0008: what is open on every item (an invoice, a credit) and
-- every customer's balances, kept current as entries are appended, so
-- that a posting reads what it touches instead of adding up the
-- customer's history. The store upserts both in the transaction that
-- appends the postings, in a fixed order; the customer's book serializes
-- their writers.
--
-- An amount is two columns, high·2^32 + low with 0 <= low < 2^32, so that
-- it is exact beyond 64 bits as the sums of postings are. due is the due
-- date of the item's latest posting (by entry, then seq) that has one,
-- the date the open items report; due_entry_id, due_seq and
-- due_effective_day name that posting (the zero UUID, 0 and the zero
-- date's day for none), so that a later posting replaces it only when it
-- is later, and a read as of an earlier day knows whether to look for
-- an earlier one.
CREATE TABLE {{table "open_items"}} (
    customer_id       uuid    NOT NULL,
    item_id           uuid    NOT NULL,
    account           text    NOT NULL,
    currency          text    NOT NULL,
    open_high         bigint  NOT NULL,
    open_low          bigint  NOT NULL,
    due               date,
    due_entry_id      uuid    NOT NULL,
    due_seq           integer NOT NULL,
    due_effective_day bigint  NOT NULL,
    PRIMARY KEY (customer_id, item_id, account, currency)
);

-- A customer's items with something open: what a payment is applied to.
CREATE INDEX {{name "open_items_open_idx"}} ON {{table "open_items"}} (customer_id)
    WHERE open_high <> 0 OR open_low <> 0;

CREATE TABLE {{table "customer_balances"}} (
    customer_id uuid   NOT NULL,
    account     text   NOT NULL,
    currency    text   NOT NULL,
    total_high  bigint NOT NULL,
    total_low   bigint NOT NULL,
    PRIMARY KEY (customer_id, account, currency)
);

-- The postings of an item effective after a day: what a read as of that
-- day takes off what is open now.
CREATE INDEX {{name "postings_item_day_idx"}} ON {{table "postings"}} (item_id, effective_day);

-- The ledger as it stands fills both.
INSERT INTO {{table "open_items"}} (customer_id, item_id, account, currency, open_high, open_low, due, due_entry_id, due_seq,
    due_effective_day)
SELECT s.customer_id, s.item_id, s.account, s.currency, s.high + (s.low >> 32), s.low & 4294967295,
    d.due, COALESCE(d.entry_id, '00000000-0000-0000-0000-000000000000'), COALESCE(d.seq, 0), COALESCE(d.effective_day, -719560)
FROM (SELECT customer_id, item_id, account, currency, SUM(amount_minor >> 32)::bigint AS high,
          SUM(amount_minor & 4294967295)::bigint AS low
      FROM {{table "postings"}} WHERE account IN ('receivable', 'customer_credit')
      GROUP BY customer_id, item_id, account, currency) s
LEFT JOIN (SELECT customer_id, item_id, account, currency, due, entry_id, seq, effective_day,
               ROW_NUMBER() OVER (PARTITION BY customer_id, item_id, account, currency ORDER BY entry_id DESC, seq DESC) AS n
           FROM {{table "postings"}} WHERE account IN ('receivable', 'customer_credit') AND due IS NOT NULL) d
    ON d.customer_id = s.customer_id AND d.item_id = s.item_id AND d.account = s.account AND d.currency = s.currency AND d.n = 1;

INSERT INTO {{table "customer_balances"}} (customer_id, account, currency, total_high, total_low)
SELECT customer_id, account, currency, SUM(high)::bigint + (SUM(low)::bigint >> 32), SUM(low)::bigint & 4294967295
FROM (SELECT customer_id, account, currency, amount_minor >> 32 AS high, amount_minor & 4294967295 AS low
      FROM {{table "postings"}} WHERE account IN ('receivable', 'customer_credit')) p
GROUP BY customer_id, account, currency;
