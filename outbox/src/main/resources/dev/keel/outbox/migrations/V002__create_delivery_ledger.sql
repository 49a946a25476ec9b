-- One row per external side effect (an email, a charge, a webhook): the delivery ledger.
CREATE TABLE ${schema}.delivery_ledger (
  tenant              text        NOT NULL,
  ledger_key          text        NOT NULL,
  payload_hash        text        NOT NULL,
  state               text        NOT NULL DEFAULT 'PENDING'
                                  CHECK (state IN ('PENDING', 'SENDING', 'SENT', 'FAILED')),
  provider_key        text        NOT NULL,
  attempts            integer     NOT NULL DEFAULT 0,
  lease_token         bigint      NOT NULL DEFAULT 0,
  lease_expires_at    timestamptz,
  provider_message_id text,
  response_summary    text,
  last_error          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz,
  PRIMARY KEY (tenant, ledger_key)
);

-- Finds effects interrupted mid-send (SENDING past their lease) for review.
CREATE INDEX delivery_ledger_sending_idx
  ON ${schema}.delivery_ledger (lease_expires_at) WHERE state = 'SENDING';
