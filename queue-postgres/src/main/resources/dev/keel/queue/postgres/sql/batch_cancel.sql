-- Cancels a batch's PENDING members (blocked or not); running ones keep running.
UPDATE ${schema}.jobs
   SET state = 'cancelled', finished_at = now(), blocked = false,
       error_message = :reason, error_stack = ''
 WHERE batch_id = :id
   AND tenant = :tenant
   AND state = 'pending'
RETURNING id
