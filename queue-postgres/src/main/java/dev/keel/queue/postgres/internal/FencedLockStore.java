package dev.keel.queue.postgres.internal;

import dev.keel.queue.spi.LockRequest;
import dev.keel.queue.spi.LockResult;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Fenced locks as rows of {@code fenced_locks} (migration V007); one statement per call. */
public final class FencedLockStore {
  private final Database db;
  private final Statements sql;

  public FencedLockStore(Database db, Statements sql) {
    this.db = db;
    this.sql = sql;
  }

  public LockResult acquire(LockRequest r) {
    List<LockResult> rows =
        db.autoCommit(
            "acquireLock",
            c ->
                SqlCall.on(c, sql.fencedLockAcquire)
                    .bind("name", r.name())
                    .bind("holder", r.holder())
                    .bind("leaseMillis", r.lease().toMillis())
                    .query(
                        rs ->
                            rs.getBoolean("held")
                                ? held(rs)
                                : LockResult.notHeld(JobRowMapper.instant(rs, "expires_at"))));
    return rows.isEmpty() ? LockResult.notHeld(null) : rows.get(0);
  }

  public LockResult renew(LockRequest r) {
    List<LockResult> rows =
        db.autoCommit(
            "renewLock",
            c ->
                SqlCall.on(c, sql.fencedLockRenew)
                    .bind("name", r.name())
                    .bind("holder", r.holder())
                    .bind("token", r.token())
                    .bind("leaseMillis", r.lease().toMillis())
                    .query(FencedLockStore::held));
    return rows.isEmpty() ? LockResult.notHeld(null) : rows.get(0);
  }

  public boolean release(LockRequest r) {
    return db.autoCommit(
            "releaseLock",
            c ->
                SqlCall.on(c, sql.fencedLockRelease)
                    .bind("name", r.name())
                    .bind("holder", r.holder())
                    .bind("token", r.token())
                    .update())
        > 0;
  }

  private static LockResult held(ResultSet rs) throws SQLException {
    return new LockResult(true, rs.getLong("token"), JobRowMapper.instant(rs, "expires_at"));
  }
}
