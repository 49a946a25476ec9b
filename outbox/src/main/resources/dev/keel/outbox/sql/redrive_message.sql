-- An operator's explicit re-drive of a parked message: PENDING, due now, attempts from zero.
UPDATE ${schema}.outbox_messages
   SET state = 'PENDING', attempts = 0, available_at = now(), failed_at = NULL
 WHERE id = :id
   AND state = 'FAILED'
RETURNING id
