-- Recurring schedules (QueueBackend.upsertSchedules ... fireSchedules). spec and trigger are
-- opaque text written by core, compared for equality only. Names sort by byte (= code point) order
-- whatever the database's collation, so list pages and the global lock order of fires are the same
-- on every server.
CREATE TABLE ${schema}.schedules (
  name            text        COLLATE "C" PRIMARY KEY,
  spec            text        NOT NULL,
  trigger         text        NOT NULL,
  -- Grows by one with every change of spec; a fire names the version it was planned from.
  version         bigint      NOT NULL CHECK (version >= 1),
  paused          boolean     NOT NULL DEFAULT false,
  next_fire_at    timestamptz NOT NULL,
  last_fire_at    timestamptz,
  -- The job of last_fire_at; no foreign key, so pruning a job never touches its schedule.
  last_job_id     uuid,
  last_job_tenant text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT schedules_last_job_complete CHECK ((last_job_id IS NULL) = (last_job_tenant IS NULL))
);

-- The due scan (schedule_due.sql): unpaused schedules by next fire time, so a scheduler's tick
-- costs O(due + log n) however many schedules are stored. Paused schedules are not in it.
CREATE INDEX schedules_due_idx ON ${schema}.schedules (next_fire_at, name) WHERE NOT paused;
