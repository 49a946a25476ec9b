-- The existing batches that jobs of a request join, locked (FOR SHARE) until the request's
-- transaction ends, so that none completes in between (batch_lock.sql takes FOR UPDATE).
SELECT id, tenant, completed_at, cancelled_at
  FROM ${schema}.batches
 WHERE id = ANY(:ids::uuid[])
 ORDER BY id
   FOR SHARE
