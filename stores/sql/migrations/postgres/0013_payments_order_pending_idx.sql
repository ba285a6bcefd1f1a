-- Supersede: an order's pending payments, by creation time. Every checkout
-- runs it; through payments_order_idx the planner would read all the
-- order's payments, and it may rather read the pending payments' index
-- (payments_pending_idx) and filter it by order, whose cost grows with the
-- pending payments and with their entries not yet vacuumed. This index is
-- both: the order's pending payments alone. An index only: a release that
-- does not know it keeps working. It is built with CREATE INDEX, which
-- holds off writes to the table while it is built (a scan of the table,
-- keeping only its pending payments).

CREATE INDEX IF NOT EXISTS {{prefix}}payments_order_pending_idx
    ON {{prefix}}payments (order_id, created_at, id) WHERE status = 'pending';
