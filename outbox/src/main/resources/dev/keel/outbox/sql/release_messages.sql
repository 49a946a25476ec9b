-- Gives back messages a stopping relay claimed but never handed to the sink: PENDING again, due
-- now, and the claim's attempt returned. Fenced like mark_delivered.
UPDATE ${schema}.outbox_messages AS m
   SET state            = 'PENDING',
       attempts         = greatest(m.attempts - 1, 0),
       available_at     = now(),
       lease_owner      = NULL,
       lease_expires_at = NULL
  FROM unnest(:ids::uuid[], :tokens::bigint[]) AS d(id, token)
 WHERE m.id = d.id
   AND m.lease_token = d.token
   AND m.state = 'IN_FLIGHT'
RETURNING m.id
