SELECT * FROM ${schema}.batches WHERE id = :id AND tenant = :tenant
