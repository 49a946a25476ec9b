-- Delete up to :limit resolved alerts not changed for :retentionMillis, oldest first
-- (alerts_resolved_idx). Active alerts are never touched.
DELETE FROM ${schema}.alerts
 WHERE id IN (
         SELECT p.id
           FROM ${schema}.alerts AS p
          WHERE p.state = 'resolved'
            AND p.updated_at < now() - :retentionMillis * interval '1 millisecond'
          ORDER BY p.updated_at
          LIMIT :limit
            FOR UPDATE SKIP LOCKED)
