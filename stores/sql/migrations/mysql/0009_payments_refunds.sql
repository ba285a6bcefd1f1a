-- Refunds: when OnRefunded succeeded for a refunded payment
-- (cauri.Payment.RefundHandledAt), and the index ListUnrefunded reads, in
-- one statement (MySQL commits DDL as it goes; InnoDB's atomic ALTER TABLE
-- applies both or neither, and Migrate takes error 1060, duplicate column
-- name, for this statement applied already). NULL on rows written before
-- this version, and by a release that does not know it; such a release
-- never writes the status 'refunded'.

ALTER TABLE {{prefix}}payments
    ADD COLUMN refund_handled_at DATETIME(6) NULL,
    ADD KEY {{prefix}}payments_unrefunded_idx (status, refund_handled_at, created_at, id);
