-- Store step records on a RUNNING job, fenced by its lease (V009). The job row is locked first
-- (FOR NO KEY UPDATE rechecks the token on the newest row version, so a lease lost to a rescue or a
-- finish committed a moment ago writes nothing), then the records are upserted by name (seq kept),
-- and the job's control signals ('keel:...') are answered in the same round trip. No row back: the
-- lease is lost and nothing was written. has_steps is set the first time only.
WITH job AS (
  SELECT j.id, j.has_steps
    FROM ${schema}.jobs AS j,
         ${worker_commit}
   WHERE j.id = :id
     AND j.lease_token = :token  -- the token implies RUNNING: see FencedUpdates
     FOR NO KEY UPDATE OF j
),
marked AS (
  UPDATE ${schema}.jobs AS j
     SET has_steps = true
    FROM job
   WHERE j.id = job.id
     AND NOT job.has_steps
),
written AS (
  INSERT INTO ${schema}.job_steps AS s (job_id, name, seq, body, updated_at)
  SELECT job.id, w.name, w.seq, w.body, now()
    FROM job,
         unnest(:names::text[], :seqs::int[], :bodies::text[]) AS w(name, seq, body)
  ON CONFLICT (job_id, name) DO UPDATE
     SET body = excluded.body,
         updated_at = excluded.updated_at
)
SELECT job.id,
       ARRAY(SELECT g.name
               FROM ${schema}.job_signals AS g
              WHERE g.job_id = job.id
                AND g.name LIKE 'keel:%'
              ORDER BY g.arrival) AS control_signals
  FROM job
