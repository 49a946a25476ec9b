-- Take the named lock if it is free or expired, or renew it for its owner; returns a row only
-- when :owner holds it afterwards. Expiry is on the database clock.
INSERT INTO ${schema}.locks AS l (name, owner, expires_at)
VALUES (:name, :owner, now() + :ttlMillis * interval '1 millisecond')
    ON CONFLICT (name) DO UPDATE
   SET owner = excluded.owner, expires_at = excluded.expires_at
 WHERE l.owner = excluded.owner OR l.expires_at <= now()
RETURNING l.owner
