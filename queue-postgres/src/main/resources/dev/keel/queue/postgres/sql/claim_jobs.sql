-- Claim up to :limit due pending jobs in (priority, run_at, id) order for one worker: the one
-- statement lives in the claim_jobs function (migration V003) so that it keeps its index plan.
-- ${worker_commit} sets this transaction's synchronous_commit (see Statements.WORKER_COMMIT).
SELECT j.*
  FROM ${worker_commit},
       ${schema}.claim_jobs(
         :owner, :leaseMillis, :queues::text[], :includeTypes::text[], :excludeTypes::text[],
         :tenant::text, :limit) AS j
