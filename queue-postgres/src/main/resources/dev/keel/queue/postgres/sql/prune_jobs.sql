-- Delete one bounded batch of terminal jobs past their state's retention (jobs_finished_idx).
-- A job that blocked jobs still wait for is kept until they are decided (V008): its outcome decides
-- them. The probe runs only for jobs that ever had dependents.
DELETE FROM ${schema}.jobs
 WHERE id IN (
         SELECT p.id
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
            FOR UPDATE SKIP LOCKED)
