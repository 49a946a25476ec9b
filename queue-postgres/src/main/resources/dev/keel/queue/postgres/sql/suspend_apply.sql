-- Second statement of a suspend (V009), after suspend_lock.sql locked the job in this transaction:
-- RUNNING -> PENDING as finish_snooze.sql does (due after the delay, attempt given back, lease
-- cleared), suspended for :await ('' for no particular signal). If a signal of that name or any
-- control signal ('keel:...') other than a children signal ('keel:children:...', which wakes only
-- the suspend awaiting exactly it) is already stored, it is due now and not suspended instead, and
-- listeners are notified at commit.
WITH ready AS (
  SELECT (:await::text <> ''
          AND EXISTS (SELECT 1 FROM ${schema}.job_signals AS g
                       WHERE g.job_id = :id AND g.name = :await::text))
      OR EXISTS (SELECT 1 FROM ${schema}.job_signals AS g
                  WHERE g.job_id = :id AND g.name LIKE 'keel:%'
                    AND g.name NOT LIKE 'keel:children:%') AS now
),
changed AS (
  UPDATE ${schema}.jobs AS j
     SET state = 'pending',
         run_at = CASE WHEN ready.now THEN now()
                       ELSE now() + :delayMillis * interval '1 millisecond' END,
         attempt = greatest(j.attempt - 1, 0),
         awaiting_signal = CASE WHEN ready.now THEN NULL ELSE :await::text END,
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
    FROM ready
   WHERE j.id = :id
     AND j.lease_token = :token
  RETURNING j.id, j.queue, j.run_at
),
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM changed WHERE run_at <= now()) AS q
   WHERE :notify
)
SELECT changed.id FROM changed, notified
