-- keel:custom-plan (a generic plan made on a near-empty table scans it: see FencedUpdates)
-- Store progress for the leases still held, fenced like heartbeat.
UPDATE ${schema}.jobs AS j
   SET progress_percent = l.percent,
       progress_message = l.message
  FROM unnest(:ids::uuid[], :tokens::text[], :percents::int[], :messages::text[])
       AS l(id, token, percent, message),
       ${worker_commit}
 WHERE j.id = l.id
   AND j.lease_token = l.token  -- the token implies RUNNING: see FencedUpdates
RETURNING j.id
