-- OnPaid's work off the payments row: a paid payment whose move took
-- OnPaid's lease gets a row here, in the move's statement, and its lease,
-- its claims, the record of OnPaid's success and OnRefunded's lease and
-- success are written here, not on the payments row, whose many indexes
-- a second version would rewrite. The move writes the payment's
-- fulfilled_at as 1970-01-01T00:00:00Z: the work is here (a release that
-- does not know this table reads that as done, and leaves it alone).
-- Payments moved before this version, or by an older release, keep their
-- lease and fulfilled_at on the payments row, as before. A table only.

CREATE TABLE IF NOT EXISTS {{prefix}}onpaid (
    payment_id     VARCHAR(64)  NOT NULL,
    created_at     TIMESTAMPTZ  NOT NULL,   -- the payment's, for its listing
    lease_owner    VARCHAR(255),
    lease_until    TIMESTAMPTZ,
    done_at        TIMESTAMPTZ,             -- OnPaid succeeded
    refund_done_at TIMESTAMPTZ,             -- OnRefunded succeeded
    CONSTRAINT {{prefix}}onpaid_pkey PRIMARY KEY (payment_id)
);

-- ListUnfulfilled: the work not done yet, oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}onpaid_due_idx
    ON {{prefix}}onpaid (created_at, payment_id) WHERE done_at IS NULL;
