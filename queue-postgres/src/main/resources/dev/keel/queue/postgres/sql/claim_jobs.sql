-- Claim up to :limit due pending jobs in (priority, run_at, id) order for one worker: the one
-- statement lives in the claim_jobs function (migration V003) so that it keeps its index plan.
-- commit_mode sets this transaction's synchronous_commit (see PostgresBackend.Builder).
SELECT j.*
  FROM (SELECT set_config('synchronous_commit', coalesce(:commitMode::text,
                          current_setting('synchronous_commit')), true)) AS commit_mode,
       ${schema}.claim_jobs(
         :owner, :leaseMillis, :queues::text[], :includeTypes::text[], :excludeTypes::text[],
         :tenant::text, :limit) AS j
