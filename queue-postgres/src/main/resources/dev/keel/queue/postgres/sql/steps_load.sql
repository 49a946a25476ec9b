-- A job's step records (kind 1, by seq) and signals (kind 2, in arrival order), after one row of
-- kind 0 that says the job exists in the tenant: one snapshot, one round trip (V009).
WITH job AS (
  SELECT j.id FROM ${schema}.jobs AS j WHERE j.tenant = :tenant AND j.id = :id
)
SELECT 0 AS kind, NULL::text AS name, 0 AS seq, NULL::text AS body,
       NULL::timestamptz AS at, 0::bigint AS ord
  FROM job
UNION ALL
SELECT 1, s.name, s.seq, s.body, s.updated_at, 0
  FROM ${schema}.job_steps AS s JOIN job ON s.job_id = job.id
UNION ALL
SELECT 2, g.name, 0, g.payload, g.sent_at, g.arrival
  FROM ${schema}.job_signals AS g JOIN job ON g.job_id = job.id
ORDER BY kind, seq, ord, name
