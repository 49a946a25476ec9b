-- keel:custom-plan (a generic plan made on a near-empty table scans it: see FencedUpdates)
-- RUNNING -> PENDING after a failed attempt: due after the delay, error kept, attempt consumed.
-- Jobs due at once wake listeners (delivered at commit).
WITH changed AS (
  UPDATE ${schema}.jobs AS j
     SET state = 'pending',
         run_at = now() + l.delay_ms * interval '1 millisecond',
         error_message = l.message, error_stack = l.stack,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         awaiting_signal = NULL  -- not suspended (V009)
    FROM unnest(:ids::uuid[], :tokens::text[], :delayMillis::bigint[], :messages::text[],
                :stacks::text[]) AS l(id, token, delay_ms, message, stack),
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
