-- For each locked blocked job, in a statement after the lock (so it sees every committed end):
-- the first dependency that failed for good, if any, and whether all of them succeeded.
SELECT j.id, j.dependency_failure,
       (SELECT u.dep::text || CASE WHEN t.id IS NULL THEN ' no longer exists'
                                   ELSE ' ended ' || upper(t.state) END
          FROM unnest(j.depends_on) AS u(dep)
          LEFT JOIN ${schema}.jobs AS t ON t.id = u.dep
         WHERE t.id IS NULL OR t.state IN ('failed', 'cancelled')
         LIMIT 1) AS failed_dependency,
       NOT EXISTS (SELECT 1
                     FROM unnest(j.depends_on) AS u(dep)
                     LEFT JOIN ${schema}.jobs AS t ON t.id = u.dep
                    WHERE t.id IS NULL OR t.state <> 'succeeded') AS ready
  FROM ${schema}.jobs AS j
 WHERE j.id = ANY(:ids::uuid[])
