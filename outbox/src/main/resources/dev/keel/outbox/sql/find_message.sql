SELECT id, seq, tenant, msg_key, type, payload::text AS payload, headers::text AS headers, state,
       attempts, available_at, created_at, delivered_at, failed_at, last_error, receipt,
       lease_owner, lease_token, lease_expires_at
  FROM ${schema}.outbox_messages
 WHERE id = :id
