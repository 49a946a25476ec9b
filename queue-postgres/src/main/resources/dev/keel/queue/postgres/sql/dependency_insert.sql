-- The edges of new blocked jobs to the jobs they wait for.
INSERT INTO ${schema}.job_dependencies (depends_on, job_id)
SELECT d.depends_on, d.job_id
  FROM unnest(:dependsOn::uuid[], :jobIds::uuid[]) AS d(depends_on, job_id)
    ON CONFLICT DO NOTHING
