-- Payments, their OnPaid lease, and the indexes for every lookup the kit
-- makes. {{prefix}} is the Store's table prefix. Statements end with a
-- semicolon at the end of a line.
--
-- Times are TEXT in one fixed-width UTC form, 2006-01-02T15:04:05.000000Z,
-- so that they sort and compare as text, and SQLite's date functions read
-- them.

CREATE TABLE IF NOT EXISTS {{prefix}}payments (
    id              TEXT    NOT NULL PRIMARY KEY,
    provider        TEXT    NOT NULL,
    provider_ref    TEXT,             -- NULL until known
    order_id        TEXT    NOT NULL,
    checkout_key    TEXT    NOT NULL,
    pending_key     TEXT,             -- checkout_key while pending, else NULL
    status          TEXT    NOT NULL,
    amount          INTEGER NOT NULL,
    currency        TEXT    NOT NULL,
    fee             INTEGER NOT NULL,
    method          TEXT    NOT NULL,
    failure_reason  TEXT    NOT NULL,
    checkout_url    TEXT    NOT NULL,
    metadata        TEXT,             -- a JSON object, NULL when empty
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    onpaid_attempts INTEGER NOT NULL,
    fulfilled_at    TEXT,
    lease_owner     TEXT,
    lease_until     TEXT,
    UNIQUE (provider, provider_ref),
    UNIQUE (pending_key)
);

-- ListPending: pending payments, oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_pending_idx
    ON {{prefix}}payments (created_at, id) WHERE status = 'pending';

-- ListUnfulfilled: paid payments whose OnPaid has not succeeded, oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_unfulfilled_idx
    ON {{prefix}}payments (created_at, id) WHERE status = 'paid' AND fulfilled_at IS NULL;
