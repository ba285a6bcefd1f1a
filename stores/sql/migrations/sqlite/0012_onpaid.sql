-- OnPaid's work off the payments row: see the PostgreSQL migration of the
-- same version.

CREATE TABLE IF NOT EXISTS {{prefix}}onpaid (
    payment_id     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    lease_owner    TEXT,
    lease_until    TEXT,
    done_at        TEXT,
    refund_done_at TEXT,
    PRIMARY KEY (payment_id)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {{prefix}}onpaid_due_idx
    ON {{prefix}}onpaid (created_at, payment_id) WHERE done_at IS NULL;
