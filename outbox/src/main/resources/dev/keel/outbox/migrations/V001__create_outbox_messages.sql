-- Messages recorded in the application's own transactions and published by relays.
-- seq is the per-key order: Outbox.record takes a transaction-scoped advisory lock on
-- (tenant, msg_key) before the row draws its seq, so for one key seq order is commit order.
CREATE TABLE ${schema}.outbox_messages (
  id               uuid        PRIMARY KEY,
  seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  tenant           text        NOT NULL,
  msg_key          text        NOT NULL,
  type             text        NOT NULL,
  payload          jsonb       NOT NULL,
  headers          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  state            text        NOT NULL DEFAULT 'PENDING'
                               CHECK (state IN ('PENDING', 'IN_FLIGHT', 'DELIVERED', 'FAILED')),
  attempts         integer     NOT NULL DEFAULT 0,
  available_at     timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,
  lease_token      bigint      NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  delivered_at     timestamptz,
  failed_at        timestamptz,
  last_error       text,
  receipt          text
);

-- "Is an earlier message of this key still undelivered?": one index probe per candidate.
CREATE INDEX outbox_messages_undelivered_idx
  ON ${schema}.outbox_messages (tenant, msg_key, seq) WHERE state <> 'DELIVERED';

-- The claim walks live rows in seq order; delivered rows kept for retention are not in it.
CREATE INDEX outbox_messages_claim_idx
  ON ${schema}.outbox_messages (seq) WHERE state IN ('PENDING', 'IN_FLIGHT');

-- Retention cleanup deletes the oldest delivered rows first.
CREATE INDEX outbox_messages_delivered_idx
  ON ${schema}.outbox_messages (delivered_at) WHERE state = 'DELIVERED';
