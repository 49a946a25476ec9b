-- Deletes at most :limit delivered messages older than the retention, oldest first, so one call
-- holds locks on a bounded number of rows. SKIP LOCKED keeps two cleaning relays apart.
DELETE FROM ${schema}.outbox_messages
 WHERE id IN (
         SELECT id
           FROM ${schema}.outbox_messages
          WHERE state = 'DELIVERED'
            AND delivered_at < now() - :retentionMillis * interval '1 millisecond'
          ORDER BY delivered_at
          LIMIT :limit
            FOR UPDATE SKIP LOCKED)
