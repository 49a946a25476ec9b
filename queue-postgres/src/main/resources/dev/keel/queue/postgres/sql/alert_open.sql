-- Insert a new OPEN alert unless one that is not resolved exists for its rule and subject
-- (alerts_active_idx decides, also against concurrent inserts). Returns the row only if inserted;
-- otherwise the caller reads the active one with alert_find_active.sql.
INSERT INTO ${schema}.alerts AS a
       (id, rule, subject, tenant, state, opened_at, updated_at, version, body)
VALUES (:id, :rule, :subject, :tenant, 'open', now(), now(), 1, :body)
    ON CONFLICT (rule, subject) WHERE state <> 'resolved' DO NOTHING
RETURNING a.id, a.rule, a.subject, a.tenant, a.state, a.opened_at, a.updated_at, a.version, a.body
