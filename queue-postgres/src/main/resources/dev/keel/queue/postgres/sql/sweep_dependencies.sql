-- Ended (or gone) jobs that blocked jobs still have an edge to: resolutions nobody made (a node
-- stopped between a finish and its resolve call). Every resolution of an ended job deletes its
-- edges (a success satisfies them, a failure ends the waiting job, a job no longer blocked loses
-- them), so an ended job found here was missed, and jobs still waiting for others do not appear.
SELECT DISTINCT d.depends_on
  FROM ${schema}.job_dependencies AS d
  LEFT JOIN ${schema}.jobs AS t ON t.id = d.depends_on
 WHERE t.id IS NULL OR t.state IN ('succeeded', 'failed', 'cancelled')
 LIMIT :limit
