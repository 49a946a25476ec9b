-- Deletes the edges of still-waiting jobs to the dependencies this round resolves that
-- SUCCEEDED: a success is recorded by the edge's absence, so it still counts after the
-- dependency is pruned. Only edges to :ended, never to another dependency that succeeded since
-- the evaluation read it: that edge is how the other dependency's resolution finds the job again
-- (deleting it too would leave the job blocked with no edge for anyone to resolve).
DELETE FROM ${schema}.job_dependencies AS d
 USING ${schema}.jobs AS t
 WHERE d.job_id = ANY(:ids::uuid[])
   AND d.depends_on = ANY(:ended::uuid[])
   AND t.id = d.depends_on
   AND t.state = 'succeeded'
