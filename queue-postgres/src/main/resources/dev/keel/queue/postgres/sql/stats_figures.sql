-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Health figures on the database clock; each subquery is served by a partial index. The oldest
-- due job scans the claim indexes (pending rows only): jobs_claim_idx for jobs without a
-- concurrency key, jobs_claim_keyed_idx for the others (V007). No extra index is maintained on
-- every write for a figure read once per health check.
SELECT now() AS measured_at,
       (SELECT count(*) FROM ${schema}.jobs
         WHERE state = 'running' AND lease_expires_at <= now()
           AND (:tenant::text IS NULL OR tenant = :tenant::text)) AS stuck,
       (SELECT count(*) FROM ${schema}.jobs
         WHERE state = 'failed'
           AND finished_at > now() - :windowMillis * interval '1 millisecond'
           AND (:tenant::text IS NULL OR tenant = :tenant::text)) AS failed_in_window,
       (SELECT floor(extract(epoch FROM now() - least(
                 (SELECT min(run_at) FROM ${schema}.jobs
                   WHERE state = 'pending' AND concurrency_key IS NULL AND run_at <= now()
                     AND (:tenant::text IS NULL OR tenant = :tenant::text)),
                 (SELECT min(run_at) FROM ${schema}.jobs
                   WHERE state = 'pending' AND concurrency_key IS NOT NULL AND run_at <= now()
                     AND (:tenant::text IS NULL OR tenant = :tenant::text)))) * 1000)::bigint)
         AS oldest_due_millis
