-- Records that the effect reported a failure; the next execute tries again with the same
-- provider key. Fenced like ledger_mark_sent.
UPDATE ${schema}.delivery_ledger
   SET state            = 'FAILED',
       last_error       = :error,
       lease_expires_at = NULL,
       updated_at       = now()
 WHERE tenant = :tenant AND ledger_key = :key
   AND state = 'SENDING' AND lease_token = :token
