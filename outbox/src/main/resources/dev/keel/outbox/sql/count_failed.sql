-- Messages parked as FAILED, for alerts (served by outbox_messages_failed_idx).
SELECT count(*) FROM ${schema}.outbox_messages WHERE state = 'FAILED'
