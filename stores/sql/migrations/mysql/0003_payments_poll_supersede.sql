-- A payment's turn to be asked about at its provider, and the newer payment
-- of its order that replaced it. Both columns are NULL on rows written
-- before this version, and by a release that does not know them. MySQL
-- has no ADD COLUMN IF NOT EXISTS: Migrate takes error 1060 (duplicate
-- column name) for this statement applied already, which InnoDB's atomic
-- ALTER TABLE makes safe.

-- next_poll_at NULL: at once, in UTC; superseded_by NULL: not superseded.
ALTER TABLE {{prefix}}payments
    ADD COLUMN next_poll_at  DATETIME(6) NULL,
    ADD COLUMN superseded_by VARCHAR(64) NULL;
