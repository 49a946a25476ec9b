-- Records a failed publish, fenced like mark_delivered. With attempts left the message goes back
-- to PENDING, due after the backoff the relay computed (measured on the database clock);
-- otherwise it is parked as FAILED, still holding back the later messages of its key.
UPDATE ${schema}.outbox_messages AS m
   SET state            = CASE WHEN m.attempts >= :maxAttempts THEN 'FAILED' ELSE 'PENDING' END,
       available_at     = now() + :delayMillis * interval '1 millisecond',
       failed_at        = CASE WHEN m.attempts >= :maxAttempts THEN now() END,
       last_error       = :error,
       lease_owner      = NULL,
       lease_expires_at = NULL
 WHERE m.id = :id
   AND m.lease_token = :token
   AND m.state = 'IN_FLIGHT'
RETURNING m.state
