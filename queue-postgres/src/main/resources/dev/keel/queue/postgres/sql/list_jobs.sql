-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- One page of a tenant's jobs in id order from the cursor. One branch per way of reading: with a
-- custom plan the branches the state filter does not ask for fold to "One-Time Filter: false" and
-- cost nothing. Each branch reads what its state is indexed by, so a filter on a rare state does
-- not walk the tenant's whole history (1,000,000 jobs kept, FAILED or PENDING asked for: under
-- 1 ms instead of 170 ms):
--   no state filter, SUCCEEDED: walk jobs_tenant_id_idx in id order (dense; stops at the page);
--   FAILED, CANCELLED: walk jobs_failed_id_idx (state, tenant, id) in id order;
--   PENDING, RUNNING: read the partial claim or lease index, then sort the page. OFFSET 0 keeps
--   the planner from walking the id index instead: it would, trusting that a page of a few
--   pending jobs turns up early, while they are the newest. Cost: the tenant's pending jobs.
SELECT * FROM (
  (SELECT * FROM ${schema}.jobs
    WHERE cardinality(:states::text[]) = 0
      AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
      AND (:type::text IS NULL OR type = :type::text)
      AND (:queue::text IS NULL OR queue = :queue::text)
    ORDER BY id LIMIT :limit)
  UNION ALL
  (SELECT * FROM ${schema}.jobs
    WHERE 'succeeded' = ANY(:states::text[]) AND state = 'succeeded'
      AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
      AND (:type::text IS NULL OR type = :type::text)
      AND (:queue::text IS NULL OR queue = :queue::text)
    ORDER BY id LIMIT :limit)
  UNION ALL
  (SELECT * FROM ${schema}.jobs
    WHERE 'failed' = ANY(:states::text[]) AND state = 'failed'
      AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
      AND (:type::text IS NULL OR type = :type::text)
      AND (:queue::text IS NULL OR queue = :queue::text)
    ORDER BY id LIMIT :limit)
  UNION ALL
  (SELECT * FROM ${schema}.jobs
    WHERE 'cancelled' = ANY(:states::text[]) AND state = 'cancelled'
      AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
      AND (:type::text IS NULL OR type = :type::text)
      AND (:queue::text IS NULL OR queue = :queue::text)
    ORDER BY id LIMIT :limit)
  UNION ALL
  (SELECT * FROM (SELECT * FROM ${schema}.jobs
                   WHERE 'pending' = ANY(:states::text[]) AND state = 'pending'
                     AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
                     AND (:type::text IS NULL OR type = :type::text)
                     AND (:queue::text IS NULL OR queue = :queue::text)
                  OFFSET 0) AS p
    ORDER BY id LIMIT :limit)
  UNION ALL
  (SELECT * FROM (SELECT * FROM ${schema}.jobs
                   WHERE 'running' = ANY(:states::text[]) AND state = 'running'
                     AND tenant = :tenant AND (:after::uuid IS NULL OR id > :after::uuid)
                     AND (:type::text IS NULL OR type = :type::text)
                     AND (:queue::text IS NULL OR queue = :queue::text)
                  OFFSET 0) AS r
    ORDER BY id LIMIT :limit)
) AS page
ORDER BY id
LIMIT :limit
