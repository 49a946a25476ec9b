-- Moves a locked entry to SENDING with a fresh lease; the new lease_token fences its outcome.
UPDATE ${schema}.delivery_ledger
   SET state            = 'SENDING',
       attempts         = attempts + 1,
       lease_token      = lease_token + 1,
       lease_expires_at = now() + :leaseMillis * interval '1 millisecond',
       updated_at       = now()
 WHERE tenant = :tenant AND ledger_key = :key
RETURNING lease_token, attempts
