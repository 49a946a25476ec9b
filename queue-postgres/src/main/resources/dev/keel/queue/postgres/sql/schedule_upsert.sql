-- Insert or update a batch of schedules in one statement (see ScheduleUpsert):
--   * a new name is inserted with version 1;
--   * an equal spec changes nothing (the ON CONFLICT ... WHERE leaves the row alone);
--   * a different spec replaces spec and trigger and bumps the version, keeping paused and the
--     fire history; next_fire_at is replaced only when the trigger differs too.
-- With :removeOthers every schedule not named is deleted. Only changed rows are returned: version
-- 1 means inserted (an update always makes it 2 or more); names not returned are unchanged.
WITH input AS (
  SELECT i.name, i.spec, i.trigger, i.next_fire_at
    FROM unnest(:names::text[], :specs::text[], :triggers::text[], :nextFireAts::timestamptz[])
         AS i(name, spec, trigger, next_fire_at)
),
upserted AS (
  INSERT INTO ${schema}.schedules AS s
         (name, spec, trigger, version, paused, next_fire_at, created_at, updated_at)
  SELECT i.name, i.spec, i.trigger, 1, false, i.next_fire_at, now(), now()
    FROM input AS i
   -- Names in the global lock order: concurrent upserts of new names wait instead of deadlocking.
   ORDER BY i.name COLLATE "C"
      ON CONFLICT (name) DO UPDATE
     SET spec         = excluded.spec,
         trigger      = excluded.trigger,
         version      = s.version + 1,
         next_fire_at = CASE WHEN s.trigger = excluded.trigger THEN s.next_fire_at
                             ELSE excluded.next_fire_at END,
         updated_at   = now()
   WHERE s.spec <> excluded.spec
  RETURNING s.name, s.version
),
removed AS (
  DELETE FROM ${schema}.schedules AS s
   WHERE :removeOthers::boolean
     AND s.name <> ALL(:names::text[])
  RETURNING s.name
)
SELECT c.name, c.outcome
  FROM (SELECT u.name, CASE WHEN u.version = 1 THEN 'created' ELSE 'updated' END AS outcome
          FROM upserted AS u
        UNION ALL
        SELECT r.name, 'removed' FROM removed AS r) AS c
 ORDER BY c.outcome, c.name COLLATE "C"
