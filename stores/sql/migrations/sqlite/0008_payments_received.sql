-- What the provider reported the customer was charged, on the move to
-- paid (cauri.Payment.Received). NULL on rows written before this version,
-- and by a release that does not know it. Migrate takes "duplicate column
-- name" for a column added already.

ALTER TABLE {{prefix}}payments ADD COLUMN received INTEGER;
