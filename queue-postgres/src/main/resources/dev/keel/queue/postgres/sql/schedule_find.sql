-- One schedule with its last job's current state (null when there is none or it was pruned).
SELECT s.name, s.spec, s.trigger, s.version, s.paused, s.next_fire_at, s.last_fire_at,
       s.last_job_id, s.last_job_tenant, s.updated_at, j.state AS last_job_state
  FROM ${schema}.schedules AS s
  LEFT JOIN ${schema}.jobs AS j ON j.id = s.last_job_id AND j.tenant = s.last_job_tenant
 WHERE s.name = :name
