-- Lock the schedules an upsert will touch (those named, or all of them when it also removes the
-- others) in name order, the one global order every schedule write locks in (see
-- schedule_fire_lock.sql), so an upsert and a fire of overlapping schedules never deadlock.
SELECT count(*) AS locked
  FROM (SELECT s.name
          FROM ${schema}.schedules AS s
         WHERE :all::boolean OR s.name = ANY(:names::text[])
         ORDER BY s.name
           FOR UPDATE) AS l
