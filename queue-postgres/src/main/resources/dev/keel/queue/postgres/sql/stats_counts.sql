-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Jobs by type, queue and state (the caller sums them up by type and by queue). With a tenant it
-- walks jobs_tenant_id_idx; for all tenants it reads the table (no index is kept for this on
-- purpose, see V001): a cost per health call that grows with the jobs kept, traded for cheaper
-- claims and finishes.
SELECT type, queue, state, count(*) AS n
  FROM ${schema}.jobs
 WHERE (:tenant::text IS NULL OR tenant = :tenant::text)
 GROUP BY type, queue, state
