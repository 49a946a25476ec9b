-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Jobs by type and state (jobs_tenant_state_type_idx).
SELECT type, state, count(*) AS n
  FROM ${schema}.jobs
 WHERE (:tenant::text IS NULL OR tenant = :tenant::text)
 GROUP BY type, state
