-- For each locked blocked job, in a statement after the lock (so it sees every committed end):
-- the first dependency that failed for good, if any, and whether all of them succeeded. Read
-- through the job's edges, which name the job each dependency resolved to (a dependency of the
-- same request may have been resolved to an existing job by its idempotency key).
SELECT j.id, j.dependency_failure,
       (SELECT d.depends_on::text || CASE WHEN t.id IS NULL THEN ' no longer exists'
                                          ELSE ' ended ' || upper(t.state) END
          FROM ${schema}.job_dependencies AS d
          LEFT JOIN ${schema}.jobs AS t ON t.id = d.depends_on
         WHERE d.job_id = j.id
           AND (t.id IS NULL OR t.state IN ('failed', 'cancelled'))
         LIMIT 1) AS failed_dependency,
       NOT EXISTS (SELECT 1
                     FROM ${schema}.job_dependencies AS d
                     LEFT JOIN ${schema}.jobs AS t ON t.id = d.depends_on
                    WHERE d.job_id = j.id
                      AND (t.id IS NULL OR t.state <> 'succeeded')) AS ready
  FROM ${schema}.jobs AS j
 WHERE j.id = ANY(:ids::uuid[])
