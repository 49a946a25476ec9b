-- Wake listeners for queues that got claimable jobs. Delivered at commit, never on rollback.
SELECT count(pg_notify(:channel, q)) FROM unnest(:queues::text[]) AS q
