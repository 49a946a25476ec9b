-- Pause (:paused true) or resume one schedule; a resume sets next_fire_at to :nextFireAt, the first
-- fire time after now, so fire times that passed while paused never fire. Returns the changed row
-- with its last job's current state, or nothing when the schedule is missing or already so.
WITH changed AS (
  UPDATE ${schema}.schedules AS s
     SET paused       = :paused::boolean,
         next_fire_at = CASE WHEN :paused::boolean THEN s.next_fire_at
                             ELSE :nextFireAt::timestamptz END,
         updated_at   = now()
   WHERE s.name = :name
     AND s.paused <> :paused::boolean
  RETURNING s.*
)
SELECT c.name, c.spec, c.trigger, c.version, c.paused, c.next_fire_at, c.last_fire_at,
       c.last_job_id, c.last_job_tenant, c.updated_at, j.state AS last_job_state
  FROM changed AS c
  LEFT JOIN ${schema}.jobs AS j ON j.id = c.last_job_id AND j.tenant = c.last_job_tenant
