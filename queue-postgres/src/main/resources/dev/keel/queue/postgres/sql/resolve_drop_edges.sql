-- Deletes the edges of decided jobs (and of jobs found no longer blocked, say cancelled while
-- waiting): the table keeps only jobs still waiting.
DELETE FROM ${schema}.job_dependencies WHERE job_id = ANY(:ids::uuid[])
