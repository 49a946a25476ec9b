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
   AND m.lease_token = d.token
   AND m.state = 'IN_FLIGHT'
RETURNING m.id
