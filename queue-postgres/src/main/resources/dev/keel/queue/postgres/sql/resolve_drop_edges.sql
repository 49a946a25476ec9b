-- Deletes the edges of decided jobs: the table keeps only jobs still waiting.
DELETE FROM ${schema}.job_dependencies AS d
 USING (SELECT j.id, unnest(j.depends_on) AS dep
          FROM ${schema}.jobs AS j
         WHERE j.id = ANY(:ids::uuid[])) AS x
 WHERE d.depends_on = x.dep
   AND d.job_id = x.id
