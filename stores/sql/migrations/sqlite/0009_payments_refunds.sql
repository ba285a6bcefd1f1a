-- Refunds: when OnRefunded succeeded for a refunded payment
-- (cauri.Payment.RefundHandledAt), and the index ListUnrefunded reads.
-- NULL on rows written before this version, and by a release that does not
-- know it; such a release never writes the status 'refunded'. Migrate
-- takes "duplicate column name" for a column added already.

ALTER TABLE {{prefix}}payments ADD COLUMN refund_handled_at TEXT;

-- ListUnrefunded: refunded payments whose OnRefunded has not succeeded.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_unrefunded_idx
    ON {{prefix}}payments (created_at, id) WHERE status = 'refunded' AND refund_handled_at IS NULL;
