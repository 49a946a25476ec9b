-- Deletes the edges of still-waiting jobs to dependencies that SUCCEEDED: a success is recorded
-- by the edge's absence, so it still counts after the dependency is pruned, and the sweep does
-- not see the dependency again.
DELETE FROM ${schema}.job_dependencies AS d
 USING ${schema}.jobs AS t
 WHERE d.job_id = ANY(:ids::uuid[])
   AND t.id = d.depends_on
   AND t.state = 'succeeded'
