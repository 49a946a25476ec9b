-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- One page of a tenant's jobs in id order, walking jobs_tenant_id_idx from the cursor.
SELECT *
  FROM ${schema}.jobs
 WHERE tenant = :tenant
   AND (:after::uuid IS NULL OR id > :after::uuid)
   AND (cardinality(:states::text[]) = 0 OR state = ANY(:states::text[]))
   AND (:type::text IS NULL OR type = :type::text)
   AND (:queue::text IS NULL OR queue = :queue::text)
 ORDER BY id
 LIMIT :limit
