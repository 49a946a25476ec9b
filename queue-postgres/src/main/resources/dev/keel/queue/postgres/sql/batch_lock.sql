-- Locks an open batch for completion; a batch completed meanwhile drops out.
SELECT id, on_success_job, on_complete_job
  FROM ${schema}.batches
 WHERE id = :id
   AND completed_at IS NULL
   FOR UPDATE
