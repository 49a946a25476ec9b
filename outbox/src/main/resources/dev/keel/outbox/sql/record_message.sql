-- Writes one message in the caller's transaction.
-- 1. The advisory lock on (tenant, key), held until the caller commits, serializes writers of one
--    key, so the seq drawn after it follows commit order for that key: a relay can never see a
--    later message of a key committed while an earlier one is still invisible.
-- 2. pg_notify is queued in the same transaction and delivered only at commit (never on rollback);
--    PostgreSQL folds identical notifications of one transaction into one.
WITH key_lock AS (
  SELECT pg_advisory_xact_lock(hashtextextended(:tenant || chr(10) || :msgKey, 0)) AS locked
), inserted AS (
  INSERT INTO ${schema}.outbox_messages (id, tenant, msg_key, type, payload, headers)
  SELECT :id, :tenant, :msgKey, :type, CAST(:payload AS jsonb), CAST(:headers AS jsonb)
    FROM key_lock
  RETURNING seq
)
SELECT inserted.seq
  FROM inserted CROSS JOIN LATERAL pg_notify(:channel, '') AS notified
