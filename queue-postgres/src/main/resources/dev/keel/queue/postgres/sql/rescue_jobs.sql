-- Rescue up to :limit running jobs whose lease expired on the database clock: back to pending if
-- attempts remain, else failed. Clearing the token fences the old owner out. SKIP LOCKED keeps a
-- rescue from waiting on a worker that is finishing the same job right now. A job with step
-- records has 2 attempts more (RescueRequest.EXTRA_RUNS_WITH_STEPS): core uses them only to
-- compensate and fail it.
WITH changed AS (
  UPDATE ${schema}.jobs AS j
     SET state         = CASE WHEN j.attempt < j.max_attempts + CASE WHEN j.has_steps THEN 2 ELSE 0 END
                              THEN 'pending' ELSE 'failed' END,
         run_at        = CASE WHEN j.attempt < j.max_attempts + CASE WHEN j.has_steps THEN 2 ELSE 0 END
                              THEN now() ELSE j.run_at END,
         finished_at   = CASE WHEN j.attempt < j.max_attempts + CASE WHEN j.has_steps THEN 2 ELSE 0 END
                              THEN NULL ELSE now() END,
         error_message = 'lease expired', error_stack = '',
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         awaiting_signal = NULL  -- not suspended (V009)
   WHERE j.id IN (
           SELECT e.id
             FROM ${schema}.jobs AS e
            WHERE e.state = 'running'
              AND e.lease_expires_at <= now()
            ORDER BY e.lease_expires_at
            LIMIT :limit
              FOR UPDATE SKIP LOCKED)
  RETURNING j.id, j.state, j.queue
),
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM changed WHERE state = 'pending') AS q
   WHERE :notify
)
SELECT changed.id, changed.state FROM changed, notified
