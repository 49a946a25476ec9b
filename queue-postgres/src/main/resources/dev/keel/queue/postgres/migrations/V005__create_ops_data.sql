-- Operations data for the operations console (module ops): alerts and backlog samples
-- (QueueBackend.openAlert ... samples). Bodies are JSON text that the console owns, stored as
-- given (text, not json/jsonb, so nothing is normalised or refused here).
CREATE TABLE ${schema}.alerts (
  id         uuid        PRIMARY KEY,
  rule       text        NOT NULL,
  subject    text        NOT NULL,
  -- Null for an alert about the whole backend.
  tenant     text,
  state      text        NOT NULL
             CHECK (state IN ('open', 'acknowledged', 'snoozed', 'resolved')),
  opened_at  timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- 1 when opened, one more with every update (the compare-and-set of alert_update.sql).
  version    bigint      NOT NULL CHECK (version >= 1),
  body       text        NOT NULL
);

-- At most one alert per rule and subject is not resolved: the arbiter of alert_open.sql's
-- INSERT ... ON CONFLICT DO NOTHING, so racing opens on any number of nodes make one alert.
CREATE UNIQUE INDEX alerts_active_idx ON ${schema}.alerts (rule, subject)
  WHERE state <> 'resolved';

-- Listing newest first within states (alert_list.sql); listing every state walks the primary key
-- backwards.
CREATE INDEX alerts_state_id_idx ON ${schema}.alerts (state, id);

-- Pruning resolved alerts by age (alert_prune.sql).
CREATE INDEX alerts_resolved_idx ON ${schema}.alerts (updated_at) WHERE state = 'resolved';

-- Backlog samples, one row per sample, deleted in bounded batches by sample_write.sql once older
-- than the series keeps.
CREATE TABLE ${schema}.samples (
  at   timestamptz NOT NULL,
  body text        NOT NULL
);

CREATE INDEX samples_at_idx ON ${schema}.samples (at);
