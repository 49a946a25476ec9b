-- Marks published messages DELIVERED, fenced: a row changes only while IN_FLIGHT with the token
-- the relay's claim returned. A relay whose lease expired and was re-claimed changes nothing.
UPDATE ${schema}.outbox_messages AS m
   SET state            = 'DELIVERED',
       delivered_at     = now(),
       lease_owner      = NULL,
       lease_expires_at = NULL,
       receipt          = d.receipt
  FROM unnest(:ids::uuid[], :tokens::bigint[], :receipts::text[]) AS d(id, token, receipt)
 WHERE m.id = d.id
   -- Redundant with the join, on purpose: it lets the planner find these rows by primary key.
   -- Without it, statistics taken while few messages were IN_FLIGHT made it scan the table (or
   -- the claim index) for IN_FLIGHT rows and join each to every input row: 2.8 s instead of
   -- 50 ms for 500 messages among 20,000 in flight.
   AND m.id = ANY(:ids::uuid[])
   AND m.lease_token = d.token
   AND m.state = 'IN_FLIGHT'
RETURNING m.id
