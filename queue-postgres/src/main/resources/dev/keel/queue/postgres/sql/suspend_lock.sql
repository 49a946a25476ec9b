-- First statement of a suspend (V009): lock the job if its lease is still held. No row back: the
-- lease is lost. The transaction commits with the worker commit mode (Statements.WORKER_COMMIT).
--
-- Why two statements: suspend must see every signal stored before it. A signal locks the job row
-- too (signal_store.sql), so once this lock is held no signal of this job can commit until the
-- suspend does, and suspend_apply.sql, a later statement with a later snapshot, sees every signal
-- that committed before the lock. In one statement the snapshot would predate the lock: a signal
-- committed while the suspend waited for it would be missed, and the job would sleep with its
-- signal stored.
SELECT j.id
  FROM ${schema}.jobs AS j,
       ${worker_commit}
 WHERE j.id = :id
   AND j.lease_token = :token  -- the token implies RUNNING: see FencedUpdates
   FOR NO KEY UPDATE OF j
