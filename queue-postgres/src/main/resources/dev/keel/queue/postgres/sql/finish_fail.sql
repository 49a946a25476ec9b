-- keel:custom-plan (a generic plan made on a near-empty table scans it: see FencedUpdates)
-- RUNNING -> FAILED (terminal) with the error, for every lease still held; clears the lease.
UPDATE ${schema}.jobs AS j
   SET state = 'failed', finished_at = now(),
       error_message = l.message, error_stack = l.stack,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
  FROM unnest(:ids::uuid[], :tokens::text[], :messages::text[], :stacks::text[])
       AS l(id, token, message, stack),
       ${worker_commit}
 WHERE j.id = l.id
   AND j.lease_token = l.token  -- the token implies RUNNING: see FencedUpdates
RETURNING j.id, j.queue, (j.has_dependents OR j.batch_id IS NOT NULL) AS resolve
