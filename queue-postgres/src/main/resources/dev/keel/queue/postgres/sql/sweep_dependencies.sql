-- Jobs waited for that ended (or are gone) while their dependents still wait: resolutions nobody
-- made (a node stopped between a finish and its resolve call).
SELECT DISTINCT d.depends_on
  FROM ${schema}.job_dependencies AS d
  LEFT JOIN ${schema}.jobs AS t ON t.id = d.depends_on
 WHERE t.id IS NULL OR t.state IN ('succeeded', 'failed', 'cancelled')
 LIMIT :limit
