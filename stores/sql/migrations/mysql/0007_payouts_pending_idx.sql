-- ListPendingPayouts: the payouts still pending, oldest first, for the
-- reconciler. An index only: a release that does not know it keeps
-- working. MySQL has no partial index: the status leads it, as in the
-- payments' pending index. Migrate takes error 1061 (duplicate key name)
-- for this statement applied already.

ALTER TABLE {{prefix}}payouts
    ADD KEY {{prefix}}payouts_pending_idx (status, created_at, payout_key);
