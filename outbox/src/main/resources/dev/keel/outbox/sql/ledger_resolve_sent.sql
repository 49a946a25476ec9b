-- A person confirmed that an interrupted effect did happen.
UPDATE ${schema}.delivery_ledger
   SET state = 'SENT', provider_message_id = :providerMessageId,
       response_summary = :responseSummary, lease_expires_at = NULL, lease_token = lease_token + 1,
       sent_at = now(), updated_at = now()
 WHERE tenant = :tenant AND ledger_key = :key AND state = 'SENDING'
