-- Parked (FAILED) messages, counted by the operations console's alert rule and re-driven by
-- tenant: a small partial index, since parked messages are few and the table is not.
CREATE INDEX outbox_messages_failed_idx
  ON ${schema}.outbox_messages (tenant, failed_at) WHERE state = 'FAILED';
