-- True when the jobs table's planner statistics are missing or stale: never analyzed, or more
-- rows changed since the last ANALYZE than 1,000 plus 5 % of the live rows. A claim planned on
-- stale statistics (say, an empty table that just received 20,000 jobs) sorts every pending job
-- instead of reading the first few from jobs_claim_idx.
SELECT coalesce(
         (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL)
         OR s.n_mod_since_analyze > 1000 + 0.05 * s.n_live_tup,
         false) AS stale
  FROM pg_stat_user_tables AS s
 WHERE s.relid = '${schema}.jobs'::regclass
