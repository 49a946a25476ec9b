-- Deletes completed batches whose completion is older than the retention (the longest of the
-- job retentions, so a batch outlives its members), at most :limit.
DELETE FROM ${schema}.batches
 WHERE id IN (SELECT id FROM ${schema}.batches
               WHERE completed_at < now() - :retentionMillis * interval '1 millisecond'
               ORDER BY completed_at
               LIMIT :limit)
