-- Payments, their OnPaid lease, and the indexes for every lookup the kit
-- makes. {{prefix}} is the Store's table prefix. Statements end with a
-- semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS {{prefix}}payments (
    id              VARCHAR(64)  NOT NULL,
    provider        VARCHAR(64)  NOT NULL,
    provider_ref    VARCHAR(255),            -- NULL until known
    order_id        VARCHAR(255) NOT NULL,
    checkout_key    VARCHAR(255) NOT NULL,
    pending_key     VARCHAR(255),            -- checkout_key while pending, else NULL
    status          VARCHAR(16)  NOT NULL,
    amount          BIGINT       NOT NULL,
    currency        VARCHAR(16)  NOT NULL,
    fee             BIGINT       NOT NULL,
    method          VARCHAR(255) NOT NULL,
    failure_reason  TEXT         NOT NULL,
    checkout_url    TEXT         NOT NULL,
    metadata        JSONB,                   -- NULL when empty
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    onpaid_attempts INTEGER      NOT NULL,
    fulfilled_at    TIMESTAMPTZ,
    lease_owner     VARCHAR(255),
    lease_until     TIMESTAMPTZ,
    CONSTRAINT {{prefix}}payments_pkey PRIMARY KEY (id),
    CONSTRAINT {{prefix}}payments_provider_ref_key UNIQUE (provider, provider_ref),
    CONSTRAINT {{prefix}}payments_pending_key_key UNIQUE (pending_key)
);

-- ListPending: pending payments, oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_pending_idx
    ON {{prefix}}payments (created_at, id) WHERE status = 'pending';

-- ListUnfulfilled: paid payments whose OnPaid has not succeeded, oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_unfulfilled_idx
    ON {{prefix}}payments (created_at, id) WHERE status = 'paid' AND fulfilled_at IS NULL;
