-- Supersede: the payments of one order, by creation time.

CREATE INDEX IF NOT EXISTS {{prefix}}payments_order_idx
    ON {{prefix}}payments (order_id, created_at, id);
