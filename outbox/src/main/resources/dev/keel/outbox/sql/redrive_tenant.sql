-- Re-drives every parked message of one tenant.
UPDATE ${schema}.outbox_messages
   SET state = 'PENDING', attempts = 0, available_at = now(), failed_at = NULL
 WHERE tenant = :tenant
   AND state = 'FAILED'
RETURNING id
