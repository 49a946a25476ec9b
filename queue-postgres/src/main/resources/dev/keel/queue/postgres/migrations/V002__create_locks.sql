-- Named locks with an expiry on the database clock (the maintenance lock). A row, not an advisory
-- lock, because the lock must survive the connection that took it and expire on its own.
CREATE TABLE ${schema}.locks (
  name       text        PRIMARY KEY,
  owner      text        NOT NULL,
  expires_at timestamptz NOT NULL
);
