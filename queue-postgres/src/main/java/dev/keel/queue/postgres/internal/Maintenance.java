package dev.keel.queue.postgres.internal;

import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.PruneResult;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Rescue of expired leases, pruning of old finished jobs, and the named locks (maintenance, the
 * console's {@code ops}). Rescue and prune work in batches of at most {@link #BATCH} rows, each its
 * own short transaction, so that maintenance never holds many row locks or a long transaction.
 */
public final class Maintenance {
  static final int BATCH = 1_000;

  private final Database db;
  private final Statements sql;
  private final String channel;
  private final boolean notify;

  public Maintenance(Database db, Statements sql, String channel, boolean notify) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
  }

  private record Rescued(UUID id, String state) {}

  private void refreshStatisticsIfStale() {
    boolean stale =
        db
            .autoCommit(
                "statistics", c -> SqlCall.on(c, sql.staleStatistics).query(rs -> rs.getBoolean(1)))
            .stream()
            .findFirst()
            .orElse(false);
    if (stale) {
      db.autoCommit("statistics", c -> SqlCall.on(c, sql.analyze).update());
    }
  }

  public RescueResult rescue(RescueRequest request) {
    List<UUID> retried = new ArrayList<>();
    List<UUID> failed = new ArrayList<>();
    int remaining = request.limit();
    while (remaining > 0) {
      int batch = Math.min(remaining, BATCH);
      List<Rescued> rows =
          db.autoCommit(
              "rescue",
              c ->
                  SqlCall.on(c, sql.rescue)
                      .bind("limit", batch)
                      .bind("channel", channel)
                      .bind("notify", notify)
                      .query(rs -> new Rescued(rs.getObject(1, UUID.class), rs.getString(2))));
      for (Rescued r : rows) {
        (r.state().equals("pending") ? retried : failed).add(r.id());
      }
      remaining -= rows.size();
      if (rows.size() < batch) {
        break;
      }
    }
    return new RescueResult(retried, failed);
  }

  /**
   * Prune is this backend's housekeeping hook, run by the maintenance node: before deleting it also
   * refreshes the planner statistics of the jobs table when they are stale, because a claim planned
   * on stale statistics sorts every pending job instead of reading the first few.
   */
  /** Completed batches past the longest retention go with their members (V008). */
  private void pruneBatches(PruneRequest request) {
    long retention =
        Math.max(
            request.succeededRetention().toMillis(),
            Math.max(
                request.failedRetention().toMillis(), request.cancelledRetention().toMillis()));
    db.autoCommit(
        "prune",
        c ->
            SqlCall.on(c, sql.batchPrune)
                .bind("retentionMillis", retention)
                .bind("limit", Math.min(request.limit(), BATCH))
                .update());
  }

  public PruneResult prune(PruneRequest request) {
    refreshStatisticsIfStale();
    long deleted = 0;
    int remaining = request.limit();
    while (remaining > 0) {
      int batch = Math.min(remaining, BATCH);
      int n =
          db.autoCommit(
              "prune",
              c ->
                  SqlCall.on(c, sql.prune)
                      .bind("succeededMillis", request.succeededRetention().toMillis())
                      .bind("failedMillis", request.failedRetention().toMillis())
                      .bind("cancelledMillis", request.cancelledRetention().toMillis())
                      .bind("limit", batch)
                      .update());
      deleted += n;
      remaining -= n;
      if (n < batch) {
        break;
      }
    }
    pruneBatches(request);
    return new PruneResult(deleted);
  }

  public boolean lock(MaintenanceLockRequest request) {
    return db.autoCommit(
        "lockMaintenance",
        c ->
            !SqlCall.on(c, sql.lockAcquire)
                .bind("name", request.name())
                .bind("owner", request.owner())
                .bind("ttlMillis", request.ttl().toMillis())
                .query(rs -> rs.getString(1))
                .isEmpty());
  }

  /** Gives the lock {@code name} up if {@code owner} holds it; each name is a lock of its own. */
  public void unlock(String name, String owner) {
    db.autoCommit(
        "unlockMaintenance",
        c -> SqlCall.on(c, sql.lockRelease).bind("name", name).bind("owner", owner).update());
  }
}
