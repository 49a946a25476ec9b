-- Take the fenced lock :name for :holder if it is free or expired (a new token: last_token + 1),
-- or renew it for a holder that still holds it (its token unchanged). One row: held, token and
-- expiry when taken; otherwise held = false with the other holder's expiry (no row when the lock
-- was created by a concurrent acquisition after this statement's snapshot). Database clock.
WITH taken AS (
  INSERT INTO ${schema}.fenced_locks AS l (name, last_token, holder, expires_at)
  VALUES (:name, 1, :holder, now() + :leaseMillis * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE
     SET last_token = CASE WHEN l.holder = excluded.holder AND l.expires_at > now()
                           THEN l.last_token ELSE l.last_token + 1 END,
         holder     = excluded.holder,
         expires_at = excluded.expires_at
   WHERE l.holder IS NULL OR l.expires_at <= now() OR l.holder = excluded.holder
  RETURNING l.last_token, l.expires_at
)
SELECT true AS held, t.last_token AS token, t.expires_at FROM taken AS t
UNION ALL
SELECT false, 0, o.expires_at
  FROM ${schema}.fenced_locks AS o
 WHERE o.name = :name AND NOT EXISTS (SELECT 1 FROM taken)
