-- Store one sample stamped with the database clock and delete at most 1,000 samples older than
-- :keepMillis (samples_at_idx; the ctid array makes the delete a TID scan), so a series that
-- fell far behind is trimmed over several writes instead of by one long statement.
WITH inserted AS (
  INSERT INTO ${schema}.samples (at, body) VALUES (now(), :body)
  RETURNING at
),
expired AS (
  DELETE FROM ${schema}.samples
   WHERE ctid = ANY(ARRAY(
           SELECT o.ctid
             FROM ${schema}.samples AS o
            WHERE o.at < now() - :keepMillis * interval '1 millisecond'
            ORDER BY o.at
            LIMIT 1000))
)
SELECT i.at FROM inserted AS i
