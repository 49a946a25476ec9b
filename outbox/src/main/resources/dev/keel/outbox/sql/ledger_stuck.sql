-- Entries left SENDING past their lease: the effect may or may not have happened.
SELECT tenant, ledger_key, payload_hash, state, provider_key, attempts, lease_token,
       lease_expires_at, true AS lease_expired,
       provider_message_id, response_summary, last_error, created_at, updated_at, sent_at
  FROM ${schema}.delivery_ledger
 WHERE state = 'SENDING' AND lease_expires_at <= now()
 ORDER BY lease_expires_at
 LIMIT :limit
