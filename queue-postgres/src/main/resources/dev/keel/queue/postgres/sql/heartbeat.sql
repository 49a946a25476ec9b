-- keel:custom-plan (a generic plan made on a near-empty table scans it: see FencedUpdates)
-- Extend every lease still held, fenced by (id, lease_token). One statement
-- for all of a worker's leases.
UPDATE ${schema}.jobs AS j
   SET lease_expires_at = now() + :leaseMillis * interval '1 millisecond',
       heartbeat_at     = now()
  FROM unnest(:ids::uuid[], :tokens::text[]) AS l(id, token),
       ${worker_commit}
 WHERE j.id = l.id
   AND j.lease_token = l.token  -- the token implies RUNNING: see FencedUpdates
   -- A keyed job's expired lease gave its slot away (the claim no longer counts it): not renewed.
   AND (j.concurrency_key IS NULL OR j.lease_expires_at > now())
RETURNING j.id
