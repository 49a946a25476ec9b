-- Extend the lease of :holder's fenced lock :name, acquired with :token, unless it expired.
UPDATE ${schema}.fenced_locks AS l
   SET expires_at = now() + :leaseMillis * interval '1 millisecond'
 WHERE l.name = :name AND l.holder = :holder AND l.last_token = :token AND l.expires_at > now()
RETURNING l.last_token AS token, l.expires_at
