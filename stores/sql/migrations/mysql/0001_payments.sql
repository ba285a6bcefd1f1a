-- Payments, their OnPaid lease, and the indexes for every lookup the kit
-- makes. {{prefix}} is the Store's table prefix. Statements end with a
-- semicolon at the end of a line.
--
-- MySQL and MariaDB commit DDL implicitly, so a migration is one idempotent
-- statement: the indexes are declared inline. utf8mb4_bin makes every
-- comparison, and so every unique key, case-sensitive. Indexed VARCHARs fit
-- InnoDB's 3072-byte key limit in utf8mb4 (4 bytes a character).

CREATE TABLE IF NOT EXISTS {{prefix}}payments (
    id              VARCHAR(64)  NOT NULL,
    provider        VARCHAR(64)  NOT NULL,
    provider_ref    VARCHAR(255) NULL,        -- NULL until known
    order_id        VARCHAR(255) NOT NULL,
    checkout_key    VARCHAR(255) NOT NULL,
    pending_key     VARCHAR(255) NULL,        -- checkout_key while pending, else NULL
    status          VARCHAR(16)  NOT NULL,
    amount          BIGINT       NOT NULL,
    currency        VARCHAR(16)  NOT NULL,
    fee             BIGINT       NOT NULL,
    method          VARCHAR(255) NOT NULL,
    failure_reason  TEXT         NOT NULL,
    checkout_url    TEXT         NOT NULL,
    metadata        JSON         NULL,        -- NULL when empty
    created_at      DATETIME(6)  NOT NULL,    -- UTC
    updated_at      DATETIME(6)  NOT NULL,
    onpaid_attempts INT          NOT NULL,
    fulfilled_at    DATETIME(6)  NULL,
    lease_owner     VARCHAR(255) NULL,
    lease_until     DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY {{prefix}}payments_provider_ref_key (provider, provider_ref),
    UNIQUE KEY {{prefix}}payments_pending_key_key (pending_key),
    KEY {{prefix}}payments_pending_idx (status, created_at, id),
    KEY {{prefix}}payments_unfulfilled_idx (status, fulfilled_at, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
