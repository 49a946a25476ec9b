-- Insert a batch of jobs in one round trip from parallel arrays.
-- A job whose idempotency key is held is not inserted:
--   * by an active (pending/running) job: the partial unique index jobs_idempotency_active_idx
--     makes the database arbitrate, also against concurrent enqueues (ON CONFLICT DO NOTHING);
--   * by a job finished within the job's window (window policy only): the NOT EXISTS below.
-- The caller then looks up the holders of keys that were not inserted (find_key_holders.sql).
-- Jobs are sent as (id, payload, key, profile number, traceparent), profiles once each: see
-- enqueue_jobs_keyless.sql.
WITH profile AS (
  SELECT p.type, p.queue, p.tenant, p.priority, p.max_attempts,
         CASE WHEN p.blocked THEN 'infinity'::timestamptz
              ELSE coalesce(p.run_at, now() + p.delay_ms * interval '1 millisecond') END AS run_at,
         p.timeout_ms, p.window_ms, p.metadata::jsonb AS metadata, p.concurrency_key,
         p.concurrency_limit, p.batch_id,
         p.dependency_failure, p.callback_of, p.callback_on_success, p.blocked, p.n
    FROM unnest(:types::text[], :queues::text[], :tenants::text[], :priorities::int[],
                :maxAttempts::int[], :runAts::timestamptz[], :delayMillis::bigint[],
                :timeoutMillis::bigint[], :windowMillis::bigint[], :metadata::text[],
                :concurrencyKeys::text[], :concurrencyLimits::int[], :batchIds::uuid[],
                :dependencyFailures::text[], :callbackOf::uuid[],
                :callbackOnSuccess::boolean[], :blocked::boolean[])
         WITH ORDINALITY AS p(type, queue, tenant, priority, max_attempts, run_at, delay_ms,
                              timeout_ms, window_ms, metadata, concurrency_key,
                              concurrency_limit, batch_id, dependency_failure,
                              callback_of, callback_on_success, blocked, n)
),
input AS (
  SELECT i.id, p.type, p.queue, p.tenant, i.payload, p.priority, p.max_attempts, p.run_at,
         p.timeout_ms, i.key, p.window_ms, i.traceparent, p.metadata, p.concurrency_key,
         p.concurrency_limit, p.batch_id, i.depends_on::uuid[] AS depends_on, i.has_dependents,
         p.dependency_failure, p.callback_of, p.callback_on_success, p.blocked, i.ord
    FROM unnest(:ids::uuid[], :payloads::text[], :keys::text[], :profiles::int[],
                :traceparents::text[], :dependsOn::text[], :hasDependents::boolean[])
         WITH ORDINALITY AS i(id, payload, key, profile, traceparent, depends_on, has_dependents,
                              ord)
    JOIN profile AS p ON p.n = i.profile
),
inserted AS (
  INSERT INTO ${schema}.jobs AS j
         (id, type, queue, tenant, payload, priority, state, attempt, max_attempts, run_at,
          created_at, idempotency_key, traceparent, metadata, timeout_ms, concurrency_key,
          concurrency_limit, batch_id, depends_on, dependency_failure, callback_of,
          callback_on_success, blocked, has_dependents)
  SELECT i.id, i.type, i.queue, i.tenant, i.payload::json, i.priority, 'pending', 0,
         i.max_attempts, i.run_at, now(), i.key, i.traceparent, i.metadata, i.timeout_ms,
         i.concurrency_key, i.concurrency_limit, i.batch_id, i.depends_on, i.dependency_failure,
         i.callback_of, i.callback_on_success, i.blocked, coalesce(i.has_dependents, false)
    FROM input AS i
   WHERE i.key IS NULL
      OR i.window_ms IS NULL
      OR NOT EXISTS (
           SELECT 1
             FROM ${schema}.jobs AS f
            WHERE f.tenant = i.tenant
              AND f.idempotency_key = i.key
              AND f.state IN ('succeeded', 'failed', 'cancelled')
              AND f.finished_at > now() - i.window_ms * interval '1 millisecond')
   -- Keys in one global order, so concurrent batches wait on each other instead of deadlocking;
   -- within one key the earlier job of the request wins, as if enqueued first.
   ORDER BY i.tenant, i.key, i.ord
      ON CONFLICT (tenant, idempotency_key)
         WHERE state IN ('pending', 'running') AND idempotency_key IS NOT NULL
      DO NOTHING
  RETURNING j.id, j.queue, j.run_at
),
-- NOTIFY is transactional: listeners hear of these jobs only if (and when) they commit.
notified AS (
  SELECT count(pg_notify(:channel, q.queue)) AS n
    FROM (SELECT DISTINCT queue FROM inserted WHERE run_at <= now()) AS q
   WHERE :notify
)
SELECT inserted.id FROM inserted, notified
