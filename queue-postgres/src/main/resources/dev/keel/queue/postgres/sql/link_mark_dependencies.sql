-- Marks the jobs new dependents wait for, so that their finish names them for resolution
-- (has_dependents, V008), and returns which of them exist in the dependent's tenant.
UPDATE ${schema}.jobs AS j
   SET has_dependents = true
  FROM unnest(:ids::uuid[], :tenants::text[]) AS d(id, tenant)
 WHERE j.id = d.id
   AND j.tenant = d.tenant
RETURNING j.id, j.tenant
