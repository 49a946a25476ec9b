-- Coordination: concurrency keys enforced in the claim, and fenced locks.
--
-- A job may carry a concurrency key and a limit: at most that many jobs of the key RUNNING with an
-- unexpired lease at once, across every node. Both columns are fixed at enqueue.
ALTER TABLE ${schema}.jobs
  ADD COLUMN concurrency_key   text    CHECK (length(concurrency_key) BETWEEN 1 AND 255),
  ADD COLUMN concurrency_limit integer CHECK (concurrency_limit BETWEEN 1 AND 10000),
  ADD CONSTRAINT jobs_concurrency_key_and_limit CHECK (
    (concurrency_key IS NULL) = (concurrency_limit IS NULL));

-- The claim index now holds jobs without a key only, so that a key with thousands of pending jobs
-- (all waiting for one slot) is not walked by every claim of the other jobs. Same name and columns
-- as before; jobs without a key pay for no new index entry.
CREATE INDEX jobs_claim_free_idx ON ${schema}.jobs (priority, run_at, id)
  WHERE state = 'pending' AND concurrency_key IS NULL;
DROP INDEX ${schema}.jobs_claim_idx;
ALTER INDEX ${schema}.jobs_claim_free_idx RENAME TO jobs_claim_idx;

-- Pending keyed jobs by key, in claim order within the key: the claim walks the distinct keys
-- (one index probe each) and takes each key's first jobs, instead of walking every pending job.
CREATE INDEX jobs_claim_keyed_idx ON ${schema}.jobs (concurrency_key, priority, run_at, id)
  WHERE state = 'pending' AND concurrency_key IS NOT NULL;

-- Running keyed jobs by key: the count the claim compares with the limit.
CREATE INDEX jobs_running_keyed_idx ON ${schema}.jobs (concurrency_key, lease_expires_at)
  WHERE state = 'running' AND concurrency_key IS NOT NULL;

-- The claim, now in PL/pgSQL (same name, arguments and planner settings as in V003, and no JIT).
--
-- 1. Keyed jobs. The distinct keys with pending jobs are found by a loose index scan; for each,
--    its first due job that passes the filters is its head, and keys are visited in the order of
--    their heads. A key is taken only under a transaction-scoped advisory lock on its hash, tried
--    without waiting: a key another claim is working on is passed over, never waited for. Under the
--    lock, and in a statement that starts after it was taken (so it sees every claim committed
--    before), the key's unexpired RUNNING jobs are counted, and at most limit - running of its jobs
--    are claimed. A full key's jobs stay PENDING and cost this claim one probe.
-- 2. Jobs without a key fill the rest of the limit with the statement of V003, unchanged but for
--    the key condition that selects its index.
--
-- The advisory lock is released when the claim's transaction ends, after its rows are committed.
-- Keyed jobs come first so that a backlog of other jobs cannot hold them back; how many of them
-- run is bounded by their keys' limits, so they cannot hold the other jobs back for long either.
CREATE OR REPLACE FUNCTION ${schema}.claim_jobs(
    p_owner text,
    p_lease_millis bigint,
    p_queues text[],
    p_include_types text[],
    p_exclude_types text[],
    p_tenant text,
    p_limit integer)
  RETURNS SETOF ${schema}.jobs
  LANGUAGE plpgsql
  VOLATILE
  SET enable_sort = off
  SET enable_bitmapscan = off
  SET enable_seqscan = off
  -- The keyed query must sort the keys' heads, which enable_sort = off charges as "disabled":
  -- its estimated cost then passes jit_above_cost and JIT compilation took 300 ms per claim.
  SET jit = off
AS $$
DECLARE
  v_claimed integer := 0;
  v_n integer;
  v_running integer;
  v_head record;
BEGIN
  IF EXISTS (SELECT 1 FROM ${schema}.jobs AS e
              WHERE e.state = 'pending' AND e.concurrency_key IS NOT NULL) THEN
    FOR v_head IN
      WITH RECURSIVE keys(k) AS (
        (SELECT f.concurrency_key FROM ${schema}.jobs AS f
          WHERE f.state = 'pending' AND f.concurrency_key IS NOT NULL
          ORDER BY f.concurrency_key LIMIT 1)
        UNION ALL
        SELECT (SELECT f.concurrency_key FROM ${schema}.jobs AS f
                 WHERE f.state = 'pending' AND f.concurrency_key IS NOT NULL
                   AND f.concurrency_key > keys.k
                 ORDER BY f.concurrency_key LIMIT 1)
          FROM keys
         WHERE keys.k IS NOT NULL)
      SELECT keys.k, h.concurrency_limit, h.priority, h.run_at, h.id
        FROM keys
        CROSS JOIN LATERAL (
          SELECT c.concurrency_limit, c.priority, c.run_at, c.id
            FROM ${schema}.jobs AS c
           WHERE c.state = 'pending'
             AND c.concurrency_key = keys.k
             AND c.run_at <= now()
             AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
             AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
             AND NOT (c.type = ANY(p_exclude_types))
             AND (p_tenant IS NULL OR c.tenant = p_tenant)
           ORDER BY c.priority, c.run_at, c.id
           LIMIT 1) AS h
       WHERE keys.k IS NOT NULL
       ORDER BY h.priority, h.run_at, h.id
    LOOP
      EXIT WHEN v_claimed >= p_limit;
      CONTINUE WHEN NOT pg_try_advisory_xact_lock(
        hashtextextended('keel.concurrency:' || '${schema}' || ':' || v_head.k, 0));
      SELECT count(*) INTO v_running
        FROM ${schema}.jobs AS r
       WHERE r.state = 'running'
         AND r.concurrency_key = v_head.k
         AND r.lease_expires_at > now();
      CONTINUE WHEN v_running >= v_head.concurrency_limit;
      RETURN QUERY
        WITH claimed AS (
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
                      AND c.concurrency_key = v_head.k
                      AND c.concurrency_limit > v_running
                      AND c.run_at <= now()
                      AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
                      AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
                      AND NOT (c.type = ANY(p_exclude_types))
                      AND (p_tenant IS NULL OR c.tenant = p_tenant)
                    ORDER BY c.priority, c.run_at, c.id
                    LIMIT least(v_head.concurrency_limit - v_running, p_limit - v_claimed)
                      FOR UPDATE SKIP LOCKED)
          RETURNING j.*)
        SELECT * FROM claimed;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      v_claimed := v_claimed + v_n;
    END LOOP;
  END IF;
  IF v_claimed < p_limit THEN
    RETURN QUERY
      WITH claimed AS (
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
                    AND c.concurrency_key IS NULL
                    AND c.run_at <= now()
                    AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
                    AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
                    AND NOT (c.type = ANY(p_exclude_types))
                    AND (p_tenant IS NULL OR c.tenant = p_tenant)
                  ORDER BY c.priority, c.run_at, c.id
                  LIMIT p_limit - v_claimed
                    FOR UPDATE SKIP LOCKED)
        RETURNING j.*)
      SELECT * FROM claimed;
  END IF;
END
$$;

-- Fenced locks (QueueBackend.acquireLock ... releaseLock). One row per name, kept after release so
-- that last_token never goes back: every acquisition takes last_token + 1. A free lock has no
-- holder. Expiry is on the database clock.
CREATE TABLE ${schema}.fenced_locks (
  name       text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 255),
  last_token bigint      NOT NULL,
  holder     text,
  expires_at timestamptz,
  CONSTRAINT fenced_locks_holder_expiry CHECK ((holder IS NULL) = (expires_at IS NULL))
);
