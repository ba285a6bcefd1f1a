-- ListPendingPayouts: the payouts still pending, oldest first, for the
-- reconciler. An index only: a release that does not know it keeps
-- working.

CREATE INDEX IF NOT EXISTS {{prefix}}payouts_pending_idx
    ON {{prefix}}payouts (created_at, payout_key) WHERE status = 'pending';
