-- Store a signal on a job of the tenant (V009), atomically in one statement:
--   * the job row is locked first (FOR NO KEY UPDATE: the newest version, so a suspend committed a
--     moment ago is seen, and a suspend that runs after this waits for it, see suspend_lock.sql);
--   * the signal is inserted unless the job is SUCCEEDED or CANCELLED or has one of that name;
--   * a stored signal wakes the job if it is suspended (PENDING, awaiting_signal set, never a
--     blocked job) for this name, or for any name when it is a control signal ('keel:...') other
--     than a children signal ('keel:children:...'): due now, no longer suspended, and listeners
--     notified at commit as for an enqueue;
--   * has_steps is set the first time only.
-- No row back: no such job in the tenant. Otherwise the job's state (the call does not change it)
-- and whether the signal was stored.
WITH job AS (
  SELECT j.id, j.state, j.queue, j.blocked, j.awaiting_signal, j.has_steps
    FROM ${schema}.jobs AS j
   WHERE j.tenant = :tenant
     AND j.id = :id
     FOR NO KEY UPDATE
),
stored AS (
  INSERT INTO ${schema}.job_signals (job_id, name, payload, sent_at)
  SELECT job.id, :name::text, :payload::text, now()
    FROM job
   WHERE job.state IN ('pending', 'running', 'failed')
  ON CONFLICT (job_id, name) DO NOTHING
  RETURNING job_id
),
wake AS (
  SELECT job.id, job.queue, job.has_steps,
         (job.state = 'pending'
          AND NOT job.blocked
          AND job.awaiting_signal IS NOT NULL
          AND ((job.awaiting_signal <> '' AND job.awaiting_signal = :name::text)
               OR (:name::text LIKE 'keel:%'
                   AND :name::text NOT LIKE 'keel:children:%'))) AS due
    FROM job JOIN stored ON stored.job_id = job.id
),
changed AS (
  UPDATE ${schema}.jobs AS j
     SET has_steps = true,
         run_at = CASE WHEN wake.due THEN now() ELSE j.run_at END,
         awaiting_signal = CASE WHEN wake.due THEN NULL ELSE j.awaiting_signal END
    FROM wake
   WHERE j.id = wake.id
     AND (wake.due OR NOT wake.has_steps)
  RETURNING j.id
),
notified AS (
  SELECT count(pg_notify(:channel, wake.queue)) AS n
    FROM wake
   WHERE wake.due
     AND :notify
)
SELECT job.state, EXISTS (SELECT 1 FROM stored) AS stored
  FROM job, notified
