-- For each (tenant, key, window) asked, the job currently holding the key: the active job if
-- there is one, else (window policy) the job of that key that finished last within the window.
SELECT k.ord, h.id, h.state, h.payload::jsonb = k.payload::jsonb AS same_payload
  FROM unnest(:tenants::text[], :keys::text[], :windowMillis::bigint[], :payloads::text[])
       WITH ORDINALITY AS k(tenant, key, window_ms, payload, ord)
  CROSS JOIN LATERAL (
        SELECT j.id, j.state, j.payload
          FROM ${schema}.jobs AS j
         WHERE j.tenant = k.tenant
           AND j.idempotency_key = k.key
           AND (j.state IN ('pending', 'running')
                OR (k.window_ms IS NOT NULL
                    AND j.state IN ('succeeded', 'failed', 'cancelled')
                    AND j.finished_at > now() - k.window_ms * interval '1 millisecond'))
         ORDER BY (j.state IN ('pending', 'running')) DESC, j.finished_at DESC NULLS FIRST
         LIMIT 1) AS h
