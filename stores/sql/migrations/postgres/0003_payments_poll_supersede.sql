-- A payment's turn to be asked about at its provider, and the newer payment
-- of its order that replaced it. Both columns are NULL on rows written
-- before this version, and by a release that does not know them.

-- next_poll_at NULL: at once; superseded_by NULL: not superseded.
ALTER TABLE {{prefix}}payments
    ADD COLUMN IF NOT EXISTS next_poll_at  TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS superseded_by VARCHAR(64);
