-- Blocked jobs that will never run take a terminal state with the reason as their error.
UPDATE ${schema}.jobs AS j
   SET state = e.state, finished_at = now(), blocked = false,
       error_message = e.message, error_stack = ''
  FROM unnest(:ids::uuid[], :states::text[], :messages::text[]) AS e(id, state, message)
 WHERE j.id = e.id
   AND j.state = 'pending'
   AND j.blocked
RETURNING j.id, j.state
