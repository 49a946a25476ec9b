-- Delete one bounded batch of terminal jobs past their state's retention (jobs_finished_idx).
-- A job that blocked jobs still wait for is kept until they are decided (V008): its outcome decides
-- them. The probe runs only for jobs that ever had dependents.
-- Step records and signals go with their job, in this statement (V009), only for the jobs that
-- have them (has_steps): for all others both probes get an empty array and read nothing.
WITH picked AS (
  SELECT p.id, p.has_steps
    FROM ${schema}.jobs AS p
   WHERE ((p.state = 'succeeded'
          AND p.finished_at < now() - :succeededMillis * interval '1 millisecond')
      OR (p.state = 'failed'
          AND p.finished_at < now() - :failedMillis * interval '1 millisecond')
      OR (p.state = 'cancelled'
          AND p.finished_at < now() - :cancelledMillis * interval '1 millisecond'))
     AND NOT (p.has_dependents
              AND EXISTS (SELECT 1 FROM ${schema}.job_dependencies AS d
                           WHERE d.depends_on = p.id))
   LIMIT :limit
     FOR UPDATE SKIP LOCKED
),
with_steps AS (
  SELECT coalesce(array_agg(id), '{}') AS ids FROM picked WHERE has_steps
),
steps_deleted AS (
  DELETE FROM ${schema}.job_steps AS s
   WHERE s.job_id = ANY((SELECT ids FROM with_steps)::uuid[])
),
signals_deleted AS (
  DELETE FROM ${schema}.job_signals AS g
   WHERE g.job_id = ANY((SELECT ids FROM with_steps)::uuid[])
)
DELETE FROM ${schema}.jobs
 WHERE id IN (SELECT id FROM picked)
