-- Undo the rows a transactional enqueue inserted before it found an idempotency conflict, so
-- nothing of the batch remains in the caller's transaction.
DELETE FROM ${schema}.jobs WHERE id = ANY(:ids::uuid[])
