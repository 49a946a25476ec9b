-- Delete one bounded batch of terminal jobs past their state's retention (jobs_finished_idx).
DELETE FROM ${schema}.jobs
 WHERE id IN (
         SELECT p.id
           FROM ${schema}.jobs AS p
          WHERE (p.state = 'succeeded'
                 AND p.finished_at < now() - :succeededMillis * interval '1 millisecond')
             OR (p.state = 'failed'
                 AND p.finished_at < now() - :failedMillis * interval '1 millisecond')
             OR (p.state = 'cancelled'
                 AND p.finished_at < now() - :cancelledMillis * interval '1 millisecond')
          LIMIT :limit
            FOR UPDATE SKIP LOCKED)
