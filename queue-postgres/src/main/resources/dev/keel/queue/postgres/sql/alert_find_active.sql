-- The alert of this rule and subject that is not resolved, if any (alerts_active_idx).
SELECT a.id, a.rule, a.subject, a.tenant, a.state, a.opened_at, a.updated_at, a.version, a.body
  FROM ${schema}.alerts AS a
 WHERE a.rule = :rule AND a.subject = :subject AND a.state <> 'resolved'
