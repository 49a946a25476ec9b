-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Claim up to :limit due pending jobs in (priority, run_at, id) order for one worker.
-- The inner SELECT walks jobs_claim_idx (partial on state = 'pending', same order), so its cost
-- does not depend on how many finished jobs are kept. FOR UPDATE SKIP LOCKED lets concurrent
-- workers pass over each other's rows instead of queueing behind them: no job is returned twice.
-- Empty filter arrays mean "no filter", which keeps this statement text fixed (one prepared plan).
UPDATE ${schema}.jobs AS j
   SET state            = 'running',
       attempt          = j.attempt + 1,
       started_at       = now(),
       heartbeat_at     = now(),
       lease_owner      = :owner,
       lease_token      = gen_random_uuid()::text,
       lease_expires_at = now() + :leaseMillis * interval '1 millisecond'
 WHERE j.id IN (
         SELECT c.id
           FROM ${schema}.jobs AS c
          WHERE c.state = 'pending'
            AND c.run_at <= now()
            AND (cardinality(:queues::text[]) = 0 OR c.queue = ANY(:queues::text[]))
            AND (cardinality(:includeTypes::text[]) = 0 OR c.type = ANY(:includeTypes::text[]))
            AND NOT (c.type = ANY(:excludeTypes::text[]))
            AND (:tenant::text IS NULL OR c.tenant = :tenant::text)
          ORDER BY c.priority, c.run_at, c.id
          LIMIT :limit
            FOR UPDATE SKIP LOCKED)
RETURNING j.*
