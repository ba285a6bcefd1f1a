-- The orders paid before ClaimOrder existed: each is held by its earliest
-- paid payment, by creation time, then ID.

INSERT INTO {{prefix}}orders (order_id, payment_id, claimed_at)
SELECT p.order_id, p.id, p.updated_at
FROM {{prefix}}payments p
WHERE p.status = 'paid' AND NOT EXISTS (
    SELECT 1 FROM {{prefix}}payments q
    WHERE q.order_id = p.order_id AND q.status = 'paid'
      AND (q.created_at < p.created_at OR (q.created_at = p.created_at AND q.id < p.id)))
ON CONFLICT (order_id) DO NOTHING;
