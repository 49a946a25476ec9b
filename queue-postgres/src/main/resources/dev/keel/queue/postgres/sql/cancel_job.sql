-- Cancel a pending or running job from outside its worker; clearing the lease fences the worker.
UPDATE ${schema}.jobs
   SET state = 'cancelled', finished_at = now(),
       error_message = :reason, error_stack = '', blocked = false,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
 WHERE tenant = :tenant
   AND id = :id
   AND state IN ('pending', 'running')
RETURNING *
