-- Payouts, idempotent on the caller's key. {{prefix}} is the Store's table
-- prefix.

CREATE TABLE IF NOT EXISTS {{prefix}}payouts (
    payout_key   VARCHAR(64)  NOT NULL,
    provider     VARCHAR(64)  NOT NULL,
    account      VARCHAR(254) NOT NULL,
    amount       BIGINT       NOT NULL,
    currency     VARCHAR(16)  NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    provider_ref VARCHAR(255) NOT NULL,
    message      TEXT         NOT NULL,
    created_at   DATETIME(6)  NOT NULL,   -- UTC
    updated_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (payout_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
