-- Compare-and-set of an alert's state and body: applies only while its version is still the
-- expected one and it is not resolved (a resolved alert is never changed again). No row returned
-- means not applied; the caller reads the alert afresh with alert_find.sql.
UPDATE ${schema}.alerts AS a
   SET state      = :state,
       body       = :body,
       version    = a.version + 1,
       updated_at = now()
 WHERE a.id = :id
   AND a.version = :expectedVersion
   AND a.state <> 'resolved'
RETURNING a.id, a.rule, a.subject, a.tenant, a.state, a.opened_at, a.updated_at, a.version, a.body
