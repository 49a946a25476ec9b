-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- One page of alerts, newest first (id descending), from the cursor :before. Empty :states means
-- every state; :anyTenant false keeps alerts about one of :tenants only (never those whose tenant
-- is null).
SELECT a.id, a.rule, a.subject, a.tenant, a.state, a.opened_at, a.updated_at, a.version, a.body
  FROM ${schema}.alerts AS a
 WHERE (cardinality(:states::text[]) = 0 OR a.state = ANY(:states::text[]))
   AND (:anyTenant::boolean OR a.tenant = ANY(:tenants::text[]))
   AND (:before::uuid IS NULL OR a.id < :before::uuid)
 ORDER BY a.id DESC
 LIMIT :limit
