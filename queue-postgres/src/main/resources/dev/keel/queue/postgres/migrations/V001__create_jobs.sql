-- Keel job table. ${schema} is replaced by the quoted, validated schema name.
-- Limits mirror dev.keel.queue.Limits so that a bug in any client cannot store an invalid job.
CREATE TABLE ${schema}.jobs (
  id               uuid        PRIMARY KEY,
  type             text        NOT NULL CHECK (length(type) BETWEEN 1 AND 128),
  queue            text        NOT NULL CHECK (length(queue) BETWEEN 1 AND 128),
  tenant           text        NOT NULL CHECK (length(tenant) BETWEEN 1 AND 128),
  -- json (not jsonb) keeps the canonical text exactly as enqueued; comparisons cast to jsonb.
  payload          json        NOT NULL,
  priority         smallint    NOT NULL CHECK (priority BETWEEN -100 AND 100),
  state            text        NOT NULL
                   CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  attempt          integer     NOT NULL DEFAULT 0,
  max_attempts     integer     NOT NULL CHECK (max_attempts BETWEEN 1 AND 1000),
  run_at           timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz,
  lease_owner      text,
  lease_token      text,
  lease_expires_at timestamptz,
  heartbeat_at     timestamptz,
  progress_percent smallint    CHECK (progress_percent BETWEEN 0 AND 100),
  progress_message text,
  error_message    text,
  error_stack      text,
  idempotency_key  text        CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  traceparent      text,
  metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  timeout_ms       bigint      CHECK (timeout_ms > 0),
  CONSTRAINT jobs_attempt_range CHECK (attempt BETWEEN 0 AND max_attempts),
  -- A RUNNING job always holds a lease; no other state does.
  CONSTRAINT jobs_lease_only_when_running CHECK (
    (state = 'running') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CONSTRAINT jobs_finished_only_when_terminal CHECK (
    (state IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);

-- The claim index: matches claim_jobs.sql (ORDER BY priority, run_at, id over pending rows).
-- Partial, so its size and the claim's cost do not grow with finished jobs kept for history.
CREATE INDEX jobs_claim_idx ON ${schema}.jobs (priority, run_at, id) WHERE state = 'pending';

-- Idempotency enforced by the database: one active holder per (tenant, key).
CREATE UNIQUE INDEX jobs_idempotency_active_idx ON ${schema}.jobs (tenant, idempotency_key)
  WHERE state IN ('pending', 'running') AND idempotency_key IS NOT NULL;

-- Window-policy lookups of finished holders.
CREATE INDEX jobs_idempotency_finished_idx ON ${schema}.jobs (tenant, idempotency_key, finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND idempotency_key IS NOT NULL;

-- Rescue of expired leases and the "stuck" figure.
CREATE INDEX jobs_lease_idx ON ${schema}.jobs (lease_expires_at) WHERE state = 'running';

-- Prune and "failed in window": terminal jobs by finish time.
CREATE INDEX jobs_finished_idx ON ${schema}.jobs (state, finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled');

-- Tenant-scoped listing in id order (JobQuery) and per-tenant stats.
CREATE INDEX jobs_tenant_id_idx ON ${schema}.jobs (tenant, id);
-- No index for the health counts by state and type, on purpose: every claim and every finish
-- changes a job's state, and an index keyed by (tenant, state, type) takes all of those inserts
-- on the same few leaf pages. Without it the benchmark processes 8,000 instead of 4,700 jobs/s on
-- a 2-core machine; the health count (stats_counts.sql) reads the table instead.

-- A job table churns: every job is inserted, updated two or three times and deleted at last.
-- Autovacuum's defaults (20 % dead rows, 10 % changed before ANALYZE) let dead index entries and
-- stale statistics pile up between runs; vacuum and analyze this table much sooner.
ALTER TABLE ${schema}.jobs SET (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 0);
