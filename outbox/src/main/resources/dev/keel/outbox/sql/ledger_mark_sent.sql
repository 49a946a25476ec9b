-- Stores the effect's outcome, only for the sender holding the current lease.
UPDATE ${schema}.delivery_ledger
   SET state               = 'SENT',
       provider_message_id = :providerMessageId,
       response_summary    = :responseSummary,
       lease_expires_at    = NULL,
       sent_at             = now(),
       updated_at          = now()
 WHERE tenant = :tenant AND ledger_key = :key
   AND state = 'SENDING' AND lease_token = :token
