-- The blocked jobs waiting for any of these jobs.
SELECT DISTINCT job_id FROM ${schema}.job_dependencies WHERE depends_on = ANY(:ids::uuid[])
