-- crmkit 0003: sales. The customer's lifecycle stage and the campaign
-- that brought them; pipelines, deals and their stage visits, activities,
-- campaigns. Customers recorded before lifecycles are leads, as a new
-- customer is by default; the zero UUID is no campaign.
--
-- Money is two columns: bigint minor units and the text currency code,
-- '' for the zero amount that has no currency. Dates are date, NULL for
-- no date. Lists inside a record (a pipeline's stages, a deal's history,
-- a campaign's costs) are JSON text. Deals and activities repeat what the
-- sales analytics add up in columns of their own (the *_us times as unix
-- microseconds, forecast_day and forecast_month, cycle_us,
-- invalid_visit), so that every statistic is a SUM over one table, or
-- over a deal's visits.

ALTER TABLE {{table "customers"}}
    ADD COLUMN lifecycle   text NOT NULL DEFAULT 'lead',
    ADD COLUMN campaign_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

CREATE INDEX {{name "customers_campaign_idx"}} ON {{table "customers"}} (campaign_id);

CREATE TABLE {{table "pipelines"}} (
    id         uuid        NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    currency   text        NOT NULL,
    stages     text        NOT NULL,
    allow_skip boolean     NOT NULL,
    allow_back boolean     NOT NULL,
    team       text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL
);

-- forecast_day is the day a deal counts on in the forecast, in days since
-- 1970-01-01 (NULL for a lost deal or an open one without a close date),
-- forecast_month its month as the forecast rows name it; cycle_us is the
-- time from creation to close of a closed deal.
CREATE TABLE {{table "deals"}} (
    id                 uuid        NOT NULL PRIMARY KEY,
    pipeline_id        uuid        NOT NULL,
    customer_id        uuid        NOT NULL,
    owner_id           uuid        NOT NULL,
    team               text        NOT NULL,
    title              text        NOT NULL,
    amount_minor       bigint      NOT NULL,
    amount_currency    text        NOT NULL,
    close_date         date,
    stage              text        NOT NULL,
    status             text        NOT NULL,
    probability        integer     NOT NULL,
    manual_probability integer,
    campaign_id        uuid        NOT NULL,
    lost_reason        text        NOT NULL,
    lost_notes         text        NOT NULL,
    history            text        NOT NULL,
    furthest           integer     NOT NULL,
    activities         integer     NOT NULL,
    last_activity_at   timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    closed_at          timestamptz,
    version            bigint      NOT NULL,
    created_us         bigint      NOT NULL,
    closed_us          bigint      NOT NULL,
    cycle_us           bigint      NOT NULL,
    forecast_day       bigint,
    forecast_month     text        NOT NULL
);

CREATE INDEX {{name "deals_pipeline_idx"}} ON {{table "deals"}} (pipeline_id, status, stage);
CREATE INDEX {{name "deals_customer_idx"}} ON {{table "deals"}} (customer_id, id);
CREATE INDEX {{name "deals_owner_idx"}} ON {{table "deals"}} (owner_id, id);
CREATE INDEX {{name "deals_team_idx"}} ON {{table "deals"}} (team, id);
CREATE INDEX {{name "deals_campaign_idx"}} ON {{table "deals"}} (campaign_id, id);
CREATE INDEX {{name "deals_closed_idx"}} ON {{table "deals"}} (closed_us);

-- A deal's history, one row a visit, replaced whenever the deal is saved:
-- left_us and micros (the time spent) are NULL for the stage it is in.
CREATE TABLE {{table "deal_visits"}} (
    deal_id    uuid    NOT NULL REFERENCES {{table "deals"}} (id),
    seq        integer NOT NULL,
    stage      text    NOT NULL,
    entered_us bigint  NOT NULL,
    left_us    bigint,
    micros     bigint,
    PRIMARY KEY (deal_id, seq)
);

CREATE INDEX {{name "deal_visits_left_idx"}} ON {{table "deal_visits"}} (left_us) WHERE left_us IS NOT NULL;

-- invalid_visit is 1 for a visit without an outcome or a next step.
CREATE TABLE {{table "activities"}} (
    id            uuid        NOT NULL PRIMARY KEY,
    type          text        NOT NULL,
    customer_id   uuid        NOT NULL,
    deal_id       uuid        NOT NULL,
    owner_id      uuid        NOT NULL,
    team          text        NOT NULL,
    at            timestamptz NOT NULL,
    subject       text        NOT NULL,
    outcome       text        NOT NULL,
    next_step     text        NOT NULL,
    follow_up     date,
    done          boolean     NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL,
    at_us         bigint      NOT NULL,
    invalid_visit integer     NOT NULL CHECK (invalid_visit IN (0, 1))
);

CREATE INDEX {{name "activities_customer_idx"}} ON {{table "activities"}} (customer_id, id);
CREATE INDEX {{name "activities_deal_idx"}} ON {{table "activities"}} (deal_id, id);
CREATE INDEX {{name "activities_owner_idx"}} ON {{table "activities"}} (owner_id, at_us);
CREATE INDEX {{name "activities_team_idx"}} ON {{table "activities"}} (team, at_us);
CREATE INDEX {{name "activities_at_idx"}} ON {{table "activities"}} (at_us);
CREATE INDEX {{name "activities_follow_up_idx"}} ON {{table "activities"}} (follow_up)
    WHERE follow_up IS NOT NULL AND done = FALSE;

-- costs is JSON text: the cost lines, each amount in minor units.
CREATE TABLE {{table "campaigns"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    name            text        NOT NULL,
    channel         text        NOT NULL,
    currency        text        NOT NULL,
    budget_minor    bigint      NOT NULL,
    budget_currency text        NOT NULL,
    costs           text        NOT NULL,
    start_date      date,
    end_date        date,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);
