-- Insert a batch of jobs without idempotency keys in one round trip from parallel arrays (one
-- element per job). Nothing can conflict (ids are fresh time-ordered UUIDs), so this is a plain
-- INSERT: no ON CONFLICT arbitration, no look-up of finished holders and no ordering by key,
-- which enqueue_jobs.sql needs only for keyed jobs. Every row is inserted.
WITH inserted AS (
  INSERT INTO ${schema}.jobs
         (id, type, queue, tenant, payload, priority, state, attempt, max_attempts, run_at,
          created_at, traceparent, metadata, timeout_ms)
  SELECT i.id, i.type, i.queue, i.tenant, i.payload::json, i.priority, 'pending', 0,
         i.max_attempts, coalesce(i.run_at, now() + i.delay_ms * interval '1 millisecond'),
         now(), i.traceparent, i.metadata::jsonb, i.timeout_ms
    FROM unnest(:ids::uuid[], :types::text[], :queues::text[], :tenants::text[],
                :payloads::text[], :priorities::int[], :maxAttempts::int[],
                :runAts::timestamptz[], :delayMillis::bigint[], :timeoutMillis::bigint[],
                :traceparents::text[], :metadata::text[])
         AS i(id, type, queue, tenant, payload, priority, max_attempts, run_at, delay_ms,
              timeout_ms, traceparent, metadata)
  RETURNING queue, run_at
)
-- NOTIFY is transactional: listeners hear of these jobs only if (and when) they commit.
SELECT count(pg_notify(:channel, q.queue)) AS notified
  FROM (SELECT DISTINCT queue FROM inserted WHERE run_at <= now()) AS q
 WHERE :notify
