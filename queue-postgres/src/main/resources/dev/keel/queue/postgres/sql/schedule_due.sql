-- The due schedules (unpaused, next_fire_at <= now), earliest first, and the earliest next fire
-- time after now, both read from schedules_due_idx: the cost grows with the due schedules, not
-- with the stored ones. Always one row at least: when nothing is due, its schedule columns are null.
WITH due AS (
  SELECT s.*
    FROM ${schema}.schedules AS s
   WHERE NOT s.paused
     AND s.next_fire_at <= now()
   ORDER BY s.next_fire_at, s.name
   LIMIT :limit
),
later AS (
  SELECT s.next_fire_at
    FROM ${schema}.schedules AS s
   WHERE NOT s.paused
     AND s.next_fire_at > now()
   ORDER BY s.next_fire_at
   LIMIT 1
)
SELECT now() AS clock_now, (SELECT l.next_fire_at FROM later AS l) AS later_fire_at,
       d.name, d.spec, d.trigger, d.version, d.paused, d.next_fire_at, d.last_fire_at,
       d.last_job_id, d.last_job_tenant, d.updated_at, j.state AS last_job_state
  FROM (SELECT 1) AS one
  LEFT JOIN due AS d ON true
  LEFT JOIN ${schema}.jobs AS j ON j.id = d.last_job_id AND j.tenant = d.last_job_tenant
 ORDER BY d.next_fire_at, d.name
