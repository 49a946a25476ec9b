-- Write the outcome of the fires of a batch that changed their schedule (rows locked by
-- schedule_fire_lock.sql in this transaction): the next fire time and the fire history. A fire
-- is not an upsert, pause or resume, so updated_at stays.
UPDATE ${schema}.schedules AS s
   SET next_fire_at    = u.next_fire_at,
       last_fire_at    = u.last_fire_at,
       last_job_id     = u.last_job_id,
       last_job_tenant = u.last_job_tenant
  FROM unnest(:names::text[], :nextFireAts::timestamptz[], :lastFireAts::timestamptz[],
              :lastJobIds::uuid[], :lastJobTenants::text[])
       AS u(name, next_fire_at, last_fire_at, last_job_id, last_job_tenant)
 WHERE s.name = u.name
