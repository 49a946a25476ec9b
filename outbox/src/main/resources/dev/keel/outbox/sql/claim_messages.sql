-- Claims up to :limit messages for one relay: the common, cheap path.
-- Claimable: PENDING and due, or IN_FLIGHT with an expired lease (its relay died) — and no earlier
-- message of the same (tenant, key) undelivered, so each key has at most one message in flight
-- and a failing message holds back only the later messages of its own key.
-- Only the first :window live messages in seq order are considered, each key reduced to its
-- earliest one there, so the cost is bounded whatever the backlog (a hot key's followers cost one
-- sort, not one probe each). RelayStore falls back to claim_heads.sql when this finds too few.
-- FOR UPDATE SKIP LOCKED lets concurrent relays pass over each other's rows; a row another relay
-- claimed and committed meanwhile is re-checked against the WHERE clause and dropped.
-- ARRAY(...) makes the locked ids an init-plan, so the outer UPDATE probes the primary key.
-- lease_token is bumped on every claim: it is the fencing token every later update must present.
UPDATE ${schema}.outbox_messages AS m
   SET state            = 'IN_FLIGHT',
       attempts         = m.attempts + 1,
       lease_owner      = :owner,
       lease_token      = m.lease_token + 1,
       lease_expires_at = now() + :leaseMillis * interval '1 millisecond'
 WHERE m.id = ANY (ARRAY(
         SELECT c.id
           FROM ${schema}.outbox_messages AS c
          WHERE c.id = ANY (ARRAY(
                  SELECT DISTINCT ON (w.tenant, w.msg_key) w.id
                    FROM (SELECT id, tenant, msg_key, seq
                            FROM ${schema}.outbox_messages
                           WHERE state IN ('PENDING', 'IN_FLIGHT')
                           ORDER BY seq
                           LIMIT :window) AS w
                   ORDER BY w.tenant, w.msg_key, w.seq))
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
