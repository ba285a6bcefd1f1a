-- Each payment's history (cauri.HistoryStore): the events the kit records
-- as it handles it, numbered per payment (seq, from 1), at most
-- cauri.HistoryLimit of them kept. A table only: a release that does not
-- know it keeps working. Times are TEXT, as in payments.

CREATE TABLE IF NOT EXISTS {{prefix}}payment_events (
    payment_id  TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    occurred_at TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    status      TEXT    NOT NULL,    -- empty when none
    detail      TEXT    NOT NULL,
    attention   INTEGER NOT NULL,    -- 0 or 1
    actor       TEXT    NOT NULL,    -- empty when none
    PRIMARY KEY (payment_id, seq)
) WITHOUT ROWID;
