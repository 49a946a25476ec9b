-- Durable steps and signals (QueueBackend.saveSteps, loadSteps, signal, suspend).
--
-- Step records and signals belong to their job. They live in tables of their own, keyed by the job
-- id, with no tenant: every read and write reaches them through the jobs row (id AND tenant, or id
-- AND lease token), so they are never read from another tenant.
--
-- No foreign key to jobs: ON DELETE CASCADE would make every prune of every job probe these
-- tables. Instead jobs.has_steps is set (once) by the first step write or signal of a job, and
-- prune_jobs.sql deletes the rows of the pruned jobs that have it, in the same statement as the
-- jobs themselves; jobs that never used steps pay one boolean in a row they already read. (A
-- transactional enqueue's undo, delete_jobs.sql, removes only jobs its own transaction inserted,
-- which nobody else can have written steps or signals for.)
--
-- A suspended job (SuspendRequest) is PENDING with awaiting_signal set: the signal it waits for,
-- or '' for none (only control signals wake it). A signal that wakes it sets run_at = now() and
-- awaiting_signal = NULL. Every other transition into PENDING (retry, snooze, release, rescue,
-- re-drive) clears the column, so "PENDING and awaiting_signal IS NOT NULL" means suspended and
-- nothing else: a suspended job whose delay passed, was claimed and then retried is not woken by a
-- late signal. Blocked jobs (V008) are never suspended.
--
-- Both columns are added without a rewrite of the table (NULL, and a constant default).
--
-- A rescue gives a job with steps 2 attempts beyond max_attempts (RescueRequest
-- .EXTRA_RUNS_WITH_STEPS), which core uses only to compensate it, so the attempt check allows
-- them. The new check is looser than the old, so every row meets it; it is added NOT VALID and
-- then validated, which reads the table without blocking writes.
ALTER TABLE ${schema}.jobs
  ADD COLUMN awaiting_signal text,
  -- The job has (or had) step records or signals: prune deletes them with it.
  ADD COLUMN has_steps       boolean NOT NULL DEFAULT false,
  DROP CONSTRAINT jobs_attempt_range,
  ADD CONSTRAINT jobs_attempt_range CHECK (attempt BETWEEN 0 AND max_attempts + 2) NOT VALID;
ALTER TABLE ${schema}.jobs VALIDATE CONSTRAINT jobs_attempt_range;

-- One row per step name of a job. body is text, not json or jsonb: core's JSON is stored and read
-- back byte for byte, and the database never looks into it.
CREATE TABLE ${schema}.job_steps (
  job_id     uuid        NOT NULL,
  name       text        NOT NULL,
  seq        integer     NOT NULL CHECK (seq >= 0),
  body       text        NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (job_id, name)
);

-- One row per signal name of a job (the first signal of a name wins); arrival keeps the order in
-- which they were stored, which sent_at alone does not (two signals in one millisecond).
CREATE TABLE ${schema}.job_signals (
  job_id  uuid        NOT NULL,
  name    text        NOT NULL,
  payload text        NOT NULL,
  sent_at timestamptz NOT NULL,
  arrival bigint      GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (job_id, name)
);
