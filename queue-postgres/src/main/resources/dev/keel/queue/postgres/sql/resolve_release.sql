-- Blocked jobs become claimable now; listeners of their queues are woken on commit.
WITH released AS (
  UPDATE ${schema}.jobs
     SET blocked = false, run_at = now()
   WHERE id = ANY(:ids::uuid[])
     AND state = 'pending'
     AND blocked
  RETURNING id, queue
),
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM released) AS q
   WHERE :notify
)
SELECT released.id FROM released, notified
