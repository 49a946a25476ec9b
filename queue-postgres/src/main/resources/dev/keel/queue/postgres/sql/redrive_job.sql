-- Give a FAILED job another run from attempt 0; the last error is kept for the record.
WITH changed AS (
  UPDATE ${schema}.jobs
     SET state = 'pending', attempt = 0, run_at = now(), finished_at = NULL,
         awaiting_signal = NULL  -- not suspended (V009)
   WHERE tenant = :tenant
     AND id = :id
     AND state = 'failed'
  RETURNING *
),
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM changed) AS q
   WHERE :notify
)
SELECT changed.* FROM changed, notified
