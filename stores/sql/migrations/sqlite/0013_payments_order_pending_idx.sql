-- Supersede: an order's pending payments, by creation time, which every
-- checkout runs: the order's pending payments alone, rather than all the
-- order's payments (payments_order_idx) or all the pending payments
-- (payments_pending_idx). An index only: a release that does not know it
-- keeps working.

CREATE INDEX IF NOT EXISTS {{prefix}}payments_order_pending_idx
    ON {{prefix}}payments (order_id, created_at, id) WHERE status = 'pending';
