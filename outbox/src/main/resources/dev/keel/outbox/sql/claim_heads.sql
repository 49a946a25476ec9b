-- Claims up to :limit messages by walking the keys instead of the messages: the fallback when the
-- first live messages in seq order are mostly followers of blocked keys (a parked or retrying
-- message with a long tail behind it), which claim_messages.sql would never look past.
-- A recursive skip scan over outbox_messages_undelivered_idx visits each key with undelivered
-- messages once and takes its head (first undelivered message); cost grows with the number of
-- such keys, not with the number of messages. Claim rules and fencing as in claim_messages.sql.
WITH RECURSIVE keys AS (
  (SELECT tenant, msg_key
     FROM ${schema}.outbox_messages
    WHERE state <> 'DELIVERED'
    ORDER BY tenant, msg_key
    LIMIT 1)
  UNION ALL
  SELECT n.tenant, n.msg_key
    FROM keys AS k
    CROSS JOIN LATERAL (
      SELECT x.tenant, x.msg_key
        FROM ${schema}.outbox_messages AS x
       WHERE x.state <> 'DELIVERED'
         AND (x.tenant, x.msg_key) > (k.tenant, k.msg_key)
       ORDER BY x.tenant, x.msg_key
       LIMIT 1) AS n
), heads AS (
  SELECT h.id, h.seq
    FROM keys AS k
    CROSS JOIN LATERAL (
      SELECT x.id, x.seq, x.state, x.available_at, x.lease_expires_at
        FROM ${schema}.outbox_messages AS x
       WHERE x.tenant = k.tenant
         AND x.msg_key = k.msg_key
         AND x.state <> 'DELIVERED'
       ORDER BY x.seq
       LIMIT 1) AS h
   WHERE (h.state = 'PENDING' AND h.available_at <= now())
      OR (h.state = 'IN_FLIGHT' AND h.lease_expires_at <= now())
)
UPDATE ${schema}.outbox_messages AS m
   SET state            = 'IN_FLIGHT',
       attempts         = m.attempts + 1,
       lease_owner      = :owner,
       lease_token      = m.lease_token + 1,
       lease_expires_at = now() + :leaseMillis * interval '1 millisecond'
 WHERE m.id = ANY (ARRAY(
         SELECT c.id
           FROM ${schema}.outbox_messages AS c
          WHERE c.id = ANY (ARRAY(SELECT id FROM heads))
            AND ((c.state = 'PENDING' AND c.available_at <= now())
              OR (c.state = 'IN_FLIGHT' AND c.lease_expires_at <= now()))
            AND NOT EXISTS (
                  SELECT 1
                    FROM ${schema}.outbox_messages AS e
                   WHERE e.tenant = c.tenant
                     AND e.msg_key = c.msg_key
                     AND e.seq < c.seq
                     AND e.state <> 'DELIVERED')
          ORDER BY c.seq
          LIMIT :limit
            FOR UPDATE SKIP LOCKED))
RETURNING m.id, m.seq, m.tenant, m.msg_key, m.type, m.payload::text AS payload,
          m.headers::text AS headers, m.attempts, m.lease_token, m.created_at
