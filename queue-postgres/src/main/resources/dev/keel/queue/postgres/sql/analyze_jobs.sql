-- Refreshes the jobs table's planner statistics (see stale_statistics.sql). ANALYZE samples the
-- table and takes only a lock that lets reads and writes go on.
ANALYZE ${schema}.jobs
