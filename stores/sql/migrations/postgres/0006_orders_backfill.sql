-- The orders paid before ClaimOrder existed: each is held by its earliest
-- paid payment, by creation time, then ID.

INSERT INTO {{prefix}}orders (order_id, payment_id, claimed_at)
SELECT DISTINCT ON (order_id) order_id, id, updated_at
FROM {{prefix}}payments
WHERE status = 'paid'
ORDER BY order_id, created_at, id
ON CONFLICT (order_id) DO NOTHING;
