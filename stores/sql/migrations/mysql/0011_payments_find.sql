-- What the history needs of each payment, and the indexes that find
-- payments for a person (cauri.PaymentFinder), in one statement (InnoDB's
-- ALTER TABLE applies all or none of it, and Migrate takes error 1060,
-- duplicate column name, for this statement applied already). NULL on rows
-- written before this version, and by a release that does not know the
-- columns: a history of none, and no attention needed. MySQL has no
-- partial index: the attention flag leads its index. By status, the
-- pending index (status, created_at, id) serves every status.
--
-- history_seq: the seq of the payment's last event; attention: 1 once an
-- event that needs a person was appended.

ALTER TABLE {{prefix}}payments
    ADD COLUMN history_seq BIGINT NULL,
    ADD COLUMN attention BOOLEAN NULL,
    ADD KEY {{prefix}}payments_created_idx (created_at, id),
    ADD KEY {{prefix}}payments_provider_idx (provider, created_at, id),
    ADD KEY {{prefix}}payments_ref_idx (provider_ref),
    ADD KEY {{prefix}}payments_attention_idx (attention, created_at, id);
