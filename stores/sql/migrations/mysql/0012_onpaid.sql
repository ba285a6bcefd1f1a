-- OnPaid's work off the payments row: see the PostgreSQL migration of the
-- same version. MySQL has no partial index: the due index leads with
-- done_at, which ListUnfulfilled asks to be NULL.

CREATE TABLE IF NOT EXISTS {{prefix}}onpaid (
    payment_id     VARCHAR(64)  NOT NULL,
    created_at     DATETIME(6)  NOT NULL,   -- UTC
    lease_owner    VARCHAR(255) NULL,
    lease_until    DATETIME(6)  NULL,
    done_at        DATETIME(6)  NULL,
    refund_done_at DATETIME(6)  NULL,
    PRIMARY KEY (payment_id),
    KEY {{prefix}}onpaid_due_idx (done_at, created_at, payment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
