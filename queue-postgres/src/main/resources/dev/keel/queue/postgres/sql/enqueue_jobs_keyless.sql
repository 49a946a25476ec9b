-- Insert a batch of jobs without idempotency keys in one round trip. Nothing can conflict (ids
-- are fresh time-ordered UUIDs), so this is a plain INSERT: no ON CONFLICT arbitration, no look-up
-- of finished holders and no ordering by key, which enqueue_jobs.sql needs only for keyed jobs.
-- Every row is inserted.
-- A job is sent as (id, payload, profile number, traceparent: one per job when traced); a profile is everything else about it, and the
-- jobs of a bulk enqueue share a few profiles, so a batch of 1,000 sends ~3,000 array elements
-- instead of 12,000 and the database parses each profile's values once.
WITH profile AS (
  SELECT p.type, p.queue, p.tenant, p.priority, p.max_attempts,
         CASE WHEN p.blocked THEN 'infinity'::timestamptz
              ELSE coalesce(p.run_at, now() + p.delay_ms * interval '1 millisecond') END AS run_at,
         p.timeout_ms, p.metadata::jsonb AS metadata, p.concurrency_key, p.concurrency_limit,
         p.batch_id, p.dependency_failure, p.callback_of,
         p.callback_on_success, p.blocked, p.n
    FROM unnest(:types::text[], :queues::text[], :tenants::text[], :priorities::int[],
                :maxAttempts::int[], :runAts::timestamptz[], :delayMillis::bigint[],
                :timeoutMillis::bigint[], :metadata::text[], :concurrencyKeys::text[],
                :concurrencyLimits::int[], :batchIds::uuid[],
                :dependencyFailures::text[], :callbackOf::uuid[], :callbackOnSuccess::boolean[],
                :blocked::boolean[])
         WITH ORDINALITY AS p(type, queue, tenant, priority, max_attempts, run_at, delay_ms,
                              timeout_ms, metadata, concurrency_key, concurrency_limit,
                              batch_id, dependency_failure, callback_of,
                              callback_on_success, blocked, n)
),
inserted AS (
  INSERT INTO ${schema}.jobs
         (id, type, queue, tenant, payload, priority, state, attempt, max_attempts, run_at,
          created_at, traceparent, metadata, timeout_ms, concurrency_key, concurrency_limit,
          batch_id, depends_on, dependency_failure, callback_of, callback_on_success, blocked,
          has_dependents)
  SELECT i.id, p.type, p.queue, p.tenant, i.payload::json, p.priority, 'pending', 0,
         p.max_attempts, p.run_at, now(), i.traceparent, p.metadata, p.timeout_ms,
         p.concurrency_key, p.concurrency_limit, p.batch_id, i.depends_on::uuid[],
         p.dependency_failure,
         p.callback_of, p.callback_on_success, p.blocked, coalesce(i.has_dependents, false)
    FROM unnest(:ids::uuid[], :payloads::text[], :profiles::int[], :traceparents::text[],
                :dependsOn::text[], :hasDependents::boolean[])
         AS i(id, payload, profile, traceparent, depends_on, has_dependents)
    JOIN profile AS p ON p.n = i.profile
  RETURNING queue, run_at
)
-- NOTIFY is transactional: listeners hear of these jobs only if (and when) they commit.
SELECT count(pg_notify(:channel, q.queue)) AS notified
  FROM (SELECT DISTINCT queue FROM inserted WHERE run_at <= now()) AS q
 WHERE :notify
