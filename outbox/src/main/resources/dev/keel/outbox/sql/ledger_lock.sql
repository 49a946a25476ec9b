-- Reads and row-locks one ledger entry for the decision "replay, send, or refuse"; the lock makes
-- concurrent executes of one key decide one after the other, so only one starts sending.
SELECT tenant, ledger_key, payload_hash, state, provider_key, attempts, lease_token,
       lease_expires_at, (lease_expires_at IS NOT NULL AND lease_expires_at <= now()) AS lease_expired,
       provider_message_id, response_summary, last_error, created_at, updated_at, sent_at
  FROM ${schema}.delivery_ledger
 WHERE tenant = :tenant AND ledger_key = :key
   FOR UPDATE
