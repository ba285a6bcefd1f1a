-- What the history needs of each payment, and the indexes that find
-- payments for a person (cauri.PaymentFinder). NULL on rows written before
-- this version, and by a release that does not know the columns: a
-- history of none, and no attention needed. Each index is built with
-- CREATE INDEX, which holds off writes to the table while it is built.

-- history_seq: the seq of the payment's last event; attention: TRUE once
-- an event that needs a person was appended.
ALTER TABLE {{prefix}}payments
    ADD COLUMN IF NOT EXISTS history_seq BIGINT,
    ADD COLUMN IF NOT EXISTS attention   BOOLEAN;

-- Every payment, newest or oldest first.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_created_idx
    ON {{prefix}}payments (created_at, id);

-- By status, by provider.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_status_idx
    ON {{prefix}}payments (status, created_at, id);
CREATE INDEX IF NOT EXISTS {{prefix}}payments_provider_idx
    ON {{prefix}}payments (provider, created_at, id);

-- A provider's reference, whatever the provider (the unique key leads
-- with the provider). An order's payments have payments_order_idx.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_ref_idx
    ON {{prefix}}payments (provider_ref);

-- The payments that need attention.
CREATE INDEX IF NOT EXISTS {{prefix}}payments_attention_idx
    ON {{prefix}}payments (created_at, id) WHERE attention;
