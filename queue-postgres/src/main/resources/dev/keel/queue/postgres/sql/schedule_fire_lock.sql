-- Lock the schedules of a fire batch in name order (the global order of every schedule write, so
-- two nodes firing overlapping batches wait for each other instead of deadlocking) and read what
-- the compare-and-set needs: version, paused, next_fire_at, and the last job with its state.
-- A schedule another transaction changed while we waited is returned as it is after that change;
-- one it deleted is not returned.
WITH locked AS (
  SELECT s.name, s.version, s.paused, s.next_fire_at, s.last_fire_at, s.last_job_id,
         s.last_job_tenant
    FROM ${schema}.schedules AS s
   WHERE s.name = ANY(:names::text[])
   ORDER BY s.name
     FOR UPDATE
)
SELECT l.name, l.version, l.paused, l.next_fire_at, l.last_fire_at, l.last_job_id,
       l.last_job_tenant, j.state AS last_job_state
  FROM locked AS l
  LEFT JOIN ${schema}.jobs AS j ON j.id = l.last_job_id AND j.tenant = l.last_job_tenant
