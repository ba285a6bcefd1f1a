-- A payment's turn to be asked about at its provider, and the newer payment
-- of its order that replaced it. Both columns are NULL on rows written
-- before this version, and by a release that does not know them. SQLite
-- has no ADD COLUMN IF NOT EXISTS: Migrate takes "duplicate column name"
-- for a column added already.

-- NULL: at once.
ALTER TABLE {{prefix}}payments ADD COLUMN next_poll_at TEXT;

-- NULL: not superseded.
ALTER TABLE {{prefix}}payments ADD COLUMN superseded_by TEXT;
