-- ClaimOrder: the payment that pays each order, the first to claim it. The
-- primary key decides between payments claiming at once.

CREATE TABLE IF NOT EXISTS {{prefix}}orders (
    order_id   VARCHAR(255) NOT NULL,
    payment_id VARCHAR(64)  NOT NULL,
    claimed_at DATETIME(6)  NOT NULL,   -- UTC
    PRIMARY KEY (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
