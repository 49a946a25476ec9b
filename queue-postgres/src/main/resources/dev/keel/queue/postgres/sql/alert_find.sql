SELECT a.id, a.rule, a.subject, a.tenant, a.state, a.opened_at, a.updated_at, a.version, a.body
  FROM ${schema}.alerts AS a
 WHERE a.id = :id
