-- Payouts, idempotent on the caller's key. {{prefix}} is the Store's table
-- prefix. Times are TEXT, as in payments.

CREATE TABLE IF NOT EXISTS {{prefix}}payouts (
    payout_key   TEXT    NOT NULL PRIMARY KEY,
    provider     TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    provider_ref TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
