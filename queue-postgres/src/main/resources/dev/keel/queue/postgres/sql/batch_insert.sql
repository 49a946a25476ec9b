-- Creates the batches of an enqueue request.
INSERT INTO ${schema}.batches (id, tenant, max_running, on_success_job, on_complete_job, created_at)
SELECT b.id, b.tenant, b.max_running, b.on_success_job, b.on_complete_job, now()
  FROM unnest(:ids::uuid[], :tenants::text[], :maxRunning::int[], :onSuccess::uuid[],
              :onComplete::uuid[]) AS b(id, tenant, max_running, on_success_job, on_complete_job)
