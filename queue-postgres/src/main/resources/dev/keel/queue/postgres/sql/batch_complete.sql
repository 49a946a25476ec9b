-- Completes a locked batch with its final counts.
UPDATE ${schema}.batches SET completed_at = now(), counts = :counts::jsonb WHERE id = :id
