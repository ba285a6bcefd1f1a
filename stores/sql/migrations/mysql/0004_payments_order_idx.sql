-- Supersede: the payments of one order, by creation time. Migrate takes
-- error 1061 (duplicate key name) for this statement applied already.

ALTER TABLE {{prefix}}payments
    ADD KEY {{prefix}}payments_order_idx (order_id, created_at, id);
