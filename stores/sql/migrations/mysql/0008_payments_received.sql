-- What the provider reported the customer was charged, on the move to
-- paid (cauri.Payment.Received). NULL on rows written before this version,
-- and by a release that does not know it. Migrate takes error 1060
-- (duplicate column name) for this statement applied already.

ALTER TABLE {{prefix}}payments ADD COLUMN received BIGINT NULL;
