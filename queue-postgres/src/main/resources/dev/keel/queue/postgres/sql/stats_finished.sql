-- keel:custom-plan (optional filters; see SqlStatement.CUSTOM_PLAN_MARKER)
-- Jobs that finished within the window, by type and outcome. A re-driven job left its terminal
-- state (finished_at cleared), so each job counts once, by its latest finish.
--
-- One branch per terminal state, each an index range scan of jobs_finished_idx (state,
-- finished_at): the cost grows with the jobs finished in the window, not with the finished jobs
-- kept (1,000,000 kept, a one-hour window: under 1 ms instead of a 300 ms sequential scan). A
-- single "state IN (...)" condition would not do: it equals the index's own predicate, so the
-- planner drops it and is left without a bound on the index's leading column.
SELECT j.type, 'succeeded' AS state, count(*) AS n
  FROM ${schema}.jobs AS j
 WHERE j.state = 'succeeded'
   AND j.finished_at > now() - :windowMillis * interval '1 millisecond'
   AND (:tenant::text IS NULL OR j.tenant = :tenant::text)
 GROUP BY j.type
UNION ALL
SELECT j.type, 'failed', count(*)
  FROM ${schema}.jobs AS j
 WHERE j.state = 'failed'
   AND j.finished_at > now() - :windowMillis * interval '1 millisecond'
   AND (:tenant::text IS NULL OR j.tenant = :tenant::text)
 GROUP BY j.type
UNION ALL
SELECT j.type, 'cancelled', count(*)
  FROM ${schema}.jobs AS j
 WHERE j.state = 'cancelled'
   AND j.finished_at > now() - :windowMillis * interval '1 millisecond'
   AND (:tenant::text IS NULL OR j.tenant = :tenant::text)
 GROUP BY j.type
