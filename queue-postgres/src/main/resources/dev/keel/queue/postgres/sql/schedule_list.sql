-- keel:custom-plan (optional cursor; see SqlStatement.CUSTOM_PLAN_MARKER)
-- One page of schedules in byte order of name, walking the primary key from the cursor; the
-- caller asks for one row more than the page to learn whether another page follows.
SELECT s.name, s.spec, s.trigger, s.version, s.paused, s.next_fire_at, s.last_fire_at,
       s.last_job_id, s.last_job_tenant, s.updated_at, j.state AS last_job_state
  FROM ${schema}.schedules AS s
  LEFT JOIN ${schema}.jobs AS j ON j.id = s.last_job_id AND j.tenant = s.last_job_tenant
 WHERE (:afterName::text IS NULL OR s.name > :afterName::text)
 ORDER BY s.name
 LIMIT :limit
