-- Open batches without an active member: completions nobody made.
SELECT b.id
  FROM ${schema}.batches AS b
 WHERE b.completed_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM ${schema}.jobs AS j
                    WHERE j.batch_id = b.id AND j.state IN ('pending', 'running'))
 ORDER BY b.created_at
 LIMIT :limit
