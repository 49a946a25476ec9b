-- The claim, as a function so that it can carry its own planner settings. Its plan must be "walk
-- jobs_claim_idx in (priority, run_at, id) order and stop after p_limit rows" whatever the
-- table's statistics say: on stale statistics (a table that just received a burst of jobs) the
-- planner otherwise preferred a bitmap scan that sorts every pending job, 5-20x slower. The SET
-- clauses apply only while the function runs, never to the caller's session.
--
-- FOR UPDATE SKIP LOCKED lets concurrent workers pass over each other's rows instead of queueing
-- behind them: no job is returned twice. Empty filter arrays mean "no filter". All times are the
-- database's now(); the lease token is random per job.
CREATE FUNCTION ${schema}.claim_jobs(
    p_owner text,
    p_lease_millis bigint,
    p_queues text[],
    p_include_types text[],
    p_exclude_types text[],
    p_tenant text,
    p_limit integer)
  RETURNS SETOF ${schema}.jobs
  LANGUAGE sql
  VOLATILE
  SET enable_sort = off
  SET enable_bitmapscan = off
  SET enable_seqscan = off
AS $$
  UPDATE ${schema}.jobs AS j
     SET state            = 'running',
         attempt          = j.attempt + 1,
         started_at       = now(),
         heartbeat_at     = now(),
         lease_owner      = p_owner,
         lease_token      = gen_random_uuid()::text,
         lease_expires_at = now() + p_lease_millis * interval '1 millisecond'
   WHERE j.id IN (
           SELECT c.id
             FROM ${schema}.jobs AS c
            WHERE c.state = 'pending'
              AND c.run_at <= now()
              AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
              AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
              AND NOT (c.type = ANY(p_exclude_types))
              AND (p_tenant IS NULL OR c.tenant = p_tenant)
            ORDER BY c.priority, c.run_at, c.id
            LIMIT p_limit
              FOR UPDATE SKIP LOCKED)
  RETURNING j.*
$$;
