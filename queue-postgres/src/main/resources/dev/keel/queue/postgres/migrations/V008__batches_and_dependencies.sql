-- Coordination: batches and job dependencies.
--
-- A blocked job (it waits for its dependencies, or it is a batch's callback) is PENDING with
-- blocked = true and run_at = 'infinity': no claim ever finds it due, and no claim index changes.
-- Releasing it sets blocked = false and run_at = now(). Every column is added without a default
-- that needs a rewrite, so this migration does not rewrite the table.
ALTER TABLE ${schema}.jobs
  ADD COLUMN batch_id            uuid,
  ADD COLUMN depends_on          uuid[],
  ADD COLUMN dependency_failure  text    CHECK (dependency_failure IN ('cancel', 'fail')),
  ADD COLUMN callback_of         uuid,
  ADD COLUMN callback_on_success boolean,
  ADD COLUMN blocked             boolean NOT NULL DEFAULT false,
  -- Set on a job when a dependent is enqueued: its finish then tells the worker to resolve it.
  ADD COLUMN has_dependents      boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT jobs_blocked_only_when_pending CHECK (NOT blocked OR state = 'pending');

-- Members of a batch by state: its progress counts and the "any member still active?" check.
-- Partial: jobs outside batches get no entry.
CREATE INDEX jobs_batch_idx ON ${schema}.jobs (batch_id, state) WHERE batch_id IS NOT NULL;

-- Edges of blocked jobs to the jobs they wait for, by the job waited for. A row lives only while
-- its dependent is blocked: resolving the dependent deletes its rows, so the table stays as small
-- as the number of jobs waiting.
CREATE TABLE ${schema}.job_dependencies (
  depends_on uuid NOT NULL,
  job_id     uuid NOT NULL,
  PRIMARY KEY (depends_on, job_id)
);
-- A waiting job's own edges: its evaluation and their deletion once it is decided.
CREATE INDEX job_dependencies_job_idx ON ${schema}.job_dependencies (job_id);

CREATE TABLE ${schema}.batches (
  id             uuid        PRIMARY KEY,
  tenant         text        NOT NULL CHECK (length(tenant) BETWEEN 1 AND 128),
  max_running    integer     NOT NULL DEFAULT 0 CHECK (max_running BETWEEN 0 AND 10000),
  on_success_job uuid,
  on_complete_job uuid,
  created_at     timestamptz NOT NULL,
  completed_at   timestamptz,
  -- Set by a batch cancel: the batch takes no new members from then on.
  cancelled_at   timestamptz,
  -- Members by state when the batch completed: {"succeeded": 998, "failed": 2}.
  counts         jsonb
);

-- Open batches, oldest first, for the maintenance sweep; completed ones for pruning.
CREATE INDEX batches_open_idx ON ${schema}.batches (created_at) WHERE completed_at IS NULL;
CREATE INDEX batches_completed_idx ON ${schema}.batches (completed_at)
  WHERE completed_at IS NOT NULL;
