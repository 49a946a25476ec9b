-- Whether a batch still has a PENDING or RUNNING member (jobs_batch_idx); read without locks
-- first, so that the common answer "yes" costs one index probe.
SELECT EXISTS (SELECT 1 FROM ${schema}.jobs
                WHERE batch_id = :id AND state IN ('pending', 'running')) AS active
