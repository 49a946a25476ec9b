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

-- Pending keyed jobs in claim order: the claim's first pass walks these.
CREATE INDEX jobs_claim_keyed_order_idx ON ${schema}.jobs (priority, run_at, id)
  WHERE state = 'pending' AND concurrency_key IS NOT NULL;

-- The claim, now in PL/pgSQL (same name, arguments and planner settings as in V003, and no JIT).
--
-- 1. Keyed jobs. Candidate keys come from two passes, each key visited once:
--    a. the due keyed jobs in claim order (jobs_claim_keyed_order_idx), at most p_limit + 32
--       of them: cheap while the keys at the front have room (1,000 keys of limit 1, say), and
--       bounded when they do not;
--    b. only when that walk was cut off: the remaining keys by a loose index scan over
--       jobs_claim_keyed_idx (one probe per key), in the order of each key's first due job. A key
--       with thousands of waiting jobs behind a full limit costs one probe, not a walk.
--    A key is taken under a transaction-scoped advisory lock on its hash, tried without waiting:
--    a key another claim is working on is passed over, never waited for. Under the lock, in a
--    statement that starts after it was taken (so it sees every claim committed before), the
--    key's RUNNING jobs with an unexpired lease are counted, and at most limit - running of its
--    first due jobs are locked (FOR UPDATE SKIP LOCKED). All of them are claimed in one UPDATE.
--    The advisory locks are released when the claim's transaction ends, after its rows commit.
--    (A helper function per key cost 0.28 ms a key in call overhead alone; this loop, 0.06 ms.)
-- 2. Jobs without a key fill the rest of the limit with the statement of V003, unchanged but for
--    the key condition that selects its index.
--
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
  -- Pass b must sort the keys' heads, which enable_sort = off charges as "disabled": its estimated
  -- cost then passed jit_above_cost, and JIT compilation took 300 ms per claim.
  SET jit = off
  -- Plan each statement once per connection. With custom plans (the default for the first five
  -- runs, and for good when the generic plan looks no cheaper) every run of every statement was
  -- planned again against the jobs table's ten indexes: 0.1-0.25 ms a statement, most of a keyed
  -- claim's cost (16 keyed jobs: 6 ms, now 3 ms; 400 jobs without a key: 15 ms, now 14 ms).
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_claimed integer := 0;
  v_ids uuid[] := '{}';
  v_picked uuid[];
  v_seen integer := 0;
  v_cap integer := p_limit + 32;
  v_visited text[] := '{}';
  v_running integer;
  v_pass integer;
  v_cur refcursor;
  v_c record;
BEGIN
  IF EXISTS (SELECT 1 FROM ${schema}.jobs AS e
              WHERE e.state = 'pending' AND e.concurrency_key IS NOT NULL) THEN
    -- The count after the advisory lock must see claims committed just before it was taken:
    -- only READ COMMITTED gives each statement a new snapshot. Refuse rather than over-admit.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
      RAISE EXCEPTION 'Keel claims jobs with concurrency keys only under READ COMMITTED, not %',
        current_setting('transaction_isolation');
    END IF;
    FOR v_pass IN 1..2 LOOP
      EXIT WHEN v_claimed >= p_limit OR (v_pass = 2 AND v_seen < v_cap);
      IF v_pass = 1 THEN
        OPEN v_cur FOR
          SELECT c.concurrency_key AS k, c.concurrency_limit AS lim
            FROM ${schema}.jobs AS c
           WHERE c.state = 'pending'
             AND c.concurrency_key IS NOT NULL
             AND c.run_at <= now()
             AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
             AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
             AND NOT (c.type = ANY(p_exclude_types))
             AND (p_tenant IS NULL OR c.tenant = p_tenant)
           ORDER BY c.priority, c.run_at, c.id
           LIMIT v_cap;
      ELSE
        OPEN v_cur FOR
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
          SELECT keys.k, h.concurrency_limit AS lim
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
             AND NOT (keys.k = ANY(v_visited))
           ORDER BY h.priority, h.run_at, h.id;
      END IF;
      LOOP
        FETCH v_cur INTO v_c;
        EXIT WHEN NOT FOUND OR v_claimed >= p_limit;
        IF v_pass = 1 THEN
          v_seen := v_seen + 1;
        END IF;
        CONTINUE WHEN v_c.k = ANY(v_visited);
        v_visited := v_visited || v_c.k;
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(
          hashtextextended('keel.concurrency:' || '${schema}' || ':' || v_c.k, 0));
        SELECT count(*) INTO v_running
          FROM ${schema}.jobs AS r
         WHERE r.state = 'running'
           AND r.concurrency_key = v_c.k
           AND r.lease_expires_at > now();
        CONTINUE WHEN v_running >= v_c.lim;
        SELECT coalesce(array_agg(p.id), '{}') INTO v_picked
          FROM (SELECT c.id
                  FROM ${schema}.jobs AS c
                 WHERE c.state = 'pending'
                   AND c.concurrency_key = v_c.k
                   AND c.concurrency_limit > v_running
                   AND c.run_at <= now()
                   AND (cardinality(p_queues) = 0 OR c.queue = ANY(p_queues))
                   AND (cardinality(p_include_types) = 0 OR c.type = ANY(p_include_types))
                   AND NOT (c.type = ANY(p_exclude_types))
                   AND (p_tenant IS NULL OR c.tenant = p_tenant)
                 ORDER BY c.priority, c.run_at, c.id
                 LIMIT least(v_c.lim - v_running, p_limit - v_claimed)
                   FOR UPDATE SKIP LOCKED) AS p;
        v_ids := v_ids || v_picked;
        v_claimed := cardinality(v_ids);
      END LOOP;
      CLOSE v_cur;
    END LOOP;
    IF v_claimed > 0 THEN
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
           WHERE j.id = ANY(v_ids)
          RETURNING j.*)
        SELECT * FROM claimed;
    END IF;
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
