-- keel:custom-plan (a generic plan made on a near-empty table scans it: see FencedUpdates)
-- RUNNING -> PENDING with run_at unchanged, giving the attempt back (claimed, never started).
WITH changed AS (
  UPDATE ${schema}.jobs AS j
     SET state = 'pending',
         attempt = greatest(j.attempt - 1, 0),
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         awaiting_signal = NULL  -- not suspended (V009)
    FROM unnest(:ids::uuid[], :tokens::text[]) AS l(id, token),
         ${worker_commit}
   WHERE j.id = l.id
     AND j.lease_token = l.token  -- the token implies RUNNING: see FencedUpdates
  RETURNING j.id, j.queue, j.run_at
),
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM changed WHERE run_at <= now()) AS q
   WHERE :notify
)
SELECT changed.id FROM changed, notified
