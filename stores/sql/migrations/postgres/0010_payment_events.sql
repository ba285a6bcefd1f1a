-- Each payment's history (cauri.HistoryStore): the events the kit records
-- as it handles it, numbered per payment (seq, from 1), at most
-- cauri.HistoryLimit of them kept. A table only: a release that does not
-- know it keeps working.

CREATE TABLE IF NOT EXISTS {{prefix}}payment_events (
    payment_id  VARCHAR(64)  NOT NULL,
    seq         BIGINT       NOT NULL,
    occurred_at TIMESTAMPTZ  NOT NULL,
    kind        VARCHAR(32)  NOT NULL,
    source      VARCHAR(64)  NOT NULL,
    status      VARCHAR(16)  NOT NULL,    -- empty when none
    detail      TEXT         NOT NULL,
    attention   BOOLEAN      NOT NULL,
    actor       VARCHAR(255) NOT NULL,    -- empty when none
    CONSTRAINT {{prefix}}payment_events_pkey PRIMARY KEY (payment_id, seq)
);
