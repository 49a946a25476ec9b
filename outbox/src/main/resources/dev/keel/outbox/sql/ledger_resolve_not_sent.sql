-- A person confirmed that an interrupted effect did not happen; the next execute sends it.
UPDATE ${schema}.delivery_ledger
   SET state = 'FAILED', last_error = :note, lease_expires_at = NULL,
       lease_token = lease_token + 1, updated_at = now()
 WHERE tenant = :tenant AND ledger_key = :key AND state = 'SENDING'
