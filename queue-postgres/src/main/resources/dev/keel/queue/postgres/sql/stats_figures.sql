-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Health figures on the database clock; each subquery is served by a partial index. The oldest
-- due job scans jobs_claim_idx (pending rows only): no extra index is maintained on every write
-- for a figure read once per health check.
SELECT now() AS measured_at,
       (SELECT count(*) FROM ${schema}.jobs
         WHERE state = 'running' AND lease_expires_at <= now()
           AND (:tenant::text IS NULL OR tenant = :tenant::text)) AS stuck,
       (SELECT count(*) FROM ${schema}.jobs
         WHERE state = 'failed'
           AND finished_at > now() - :windowMillis * interval '1 millisecond'
           AND (:tenant::text IS NULL OR tenant = :tenant::text)) AS failed_in_window,
       (SELECT floor(extract(epoch FROM now() - min(run_at)) * 1000)::bigint FROM ${schema}.jobs
         WHERE state = 'pending' AND run_at <= now()
           AND (:tenant::text IS NULL OR tenant = :tenant::text)) AS oldest_due_millis
