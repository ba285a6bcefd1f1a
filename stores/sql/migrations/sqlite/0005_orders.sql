-- ClaimOrder: the payment that pays each order, the first to claim it. The
-- primary key decides between payments claiming at once. Times are TEXT,
-- as in payments.

CREATE TABLE IF NOT EXISTS {{prefix}}orders (
    order_id   TEXT NOT NULL PRIMARY KEY,
    payment_id TEXT NOT NULL,
    claimed_at TEXT NOT NULL
);
