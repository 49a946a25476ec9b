-- Free :holder's fenced lock :name, acquired with :token, unless it expired. The row and its
-- last_token stay, so the next acquisition still gets a greater token.
UPDATE ${schema}.fenced_locks AS l
   SET holder = NULL, expires_at = NULL
 WHERE l.name = :name AND l.holder = :holder AND l.last_token = :token AND l.expires_at > now()
