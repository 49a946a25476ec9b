-- The batches of jobs that ended.
SELECT DISTINCT batch_id
  FROM ${schema}.jobs
 WHERE id = ANY(:ids::uuid[])
   AND batch_id IS NOT NULL
   AND state IN ('succeeded', 'failed', 'cancelled')
