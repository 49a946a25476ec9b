-- Locks the blocked jobs about to be decided, in id order (so concurrent resolvers queue up
-- instead of deadlocking). A job another resolver released or ended meanwhile drops out.
SELECT id
  FROM ${schema}.jobs
 WHERE id = ANY(:ids::uuid[])
   AND state = 'pending'
   AND blocked
 ORDER BY id
   FOR UPDATE
