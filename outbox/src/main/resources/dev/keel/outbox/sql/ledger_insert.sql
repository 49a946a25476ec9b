-- Creates the ledger row of a key on first use; a second caller finds the existing row.
INSERT INTO ${schema}.delivery_ledger (tenant, ledger_key, payload_hash, provider_key)
VALUES (:tenant, :key, :hash, :providerKey)
ON CONFLICT (tenant, ledger_key) DO NOTHING
