-- Closes a batch to new members (the first cancel's time is kept); locks it against joins.
UPDATE ${schema}.batches
   SET cancelled_at = coalesce(cancelled_at, now())
 WHERE id = :id
   AND tenant = :tenant
RETURNING id
