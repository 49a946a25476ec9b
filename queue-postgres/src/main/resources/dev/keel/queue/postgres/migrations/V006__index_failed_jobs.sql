-- Failed and cancelled jobs of a tenant in id order, for listing them (list_jobs.sql) without
-- walking the tenant's succeeded history. Partial: a job enters it only when it fails for good or
-- is cancelled, so the claim and a successful finish do not maintain it. State leads, so that a
-- page of one state reads only that state's entries.
CREATE INDEX jobs_failed_id_idx ON ${schema}.jobs (state, tenant, id)
  WHERE state IN ('failed', 'cancelled');
