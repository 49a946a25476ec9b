package dev.keel.queue.postgres.internal;

import dev.keel.queue.spi.AlertListRequest;
import dev.keel.queue.spi.AlertOpenRequest;
import dev.keel.queue.spi.AlertOpenResult;
import dev.keel.queue.spi.AlertPage;
import dev.keel.queue.spi.AlertPruneRequest;
import dev.keel.queue.spi.AlertState;
import dev.keel.queue.spi.AlertUpdateRequest;
import dev.keel.queue.spi.AlertUpdateResult;
import dev.keel.queue.spi.SampleListRequest;
import dev.keel.queue.spi.SampleWriteRequest;
import dev.keel.queue.spi.StoredAlert;
import dev.keel.queue.spi.StoredSample;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The operations console's alerts and backlog samples on the {@code alerts} and {@code samples}
 * tables (migration V005). Every call is one or two auto-committed statements; all times are the
 * database's {@code now()}.
 *
 * <p>An open is atomic through the unique partial index {@code alerts_active_idx}: the insert does
 * nothing when an unresolved alert of the rule and subject exists (or is being inserted by another
 * transaction, which it waits for), and a second statement, with a snapshot taken after that
 * commit, reads the one that exists.
 */
public final class OpsStore {
  /**
   * How often an open retries when the active alert it collided with was resolved (and so is no
   * longer found) before the read: each retry needs another resolve in that gap.
   */
  private static final int OPEN_ATTEMPTS = 10;

  private final Database db;
  private final Statements sql;

  public OpsStore(Database db, Statements sql) {
    this.db = db;
    this.sql = sql;
  }

  public AlertOpenResult open(AlertOpenRequest request) {
    return db.autoCommit(
        "openAlert",
        c -> {
          for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            List<StoredAlert> inserted =
                SqlCall.on(c, sql.alertOpen)
                    .bind("id", request.id())
                    .bind("rule", request.rule())
                    .bind("subject", request.subject())
                    .bind("tenant", request.tenant())
                    .bind("body", request.body())
                    .query(OpsStore::alert);
            if (!inserted.isEmpty()) {
              return new AlertOpenResult(inserted.get(0), true);
            }
            List<StoredAlert> active =
                SqlCall.on(c, sql.alertFindActive)
                    .bind("rule", request.rule())
                    .bind("subject", request.subject())
                    .query(OpsStore::alert);
            if (!active.isEmpty()) {
              return new AlertOpenResult(active.get(0), false);
            }
          }
          throw new IllegalStateException(
              "openAlert: the active alert of rule "
                  + request.rule()
                  + " and subject "
                  + request.subject()
                  + " was resolved between insert and read "
                  + OPEN_ATTEMPTS
                  + " times in a row");
        });
  }

  public AlertUpdateResult update(AlertUpdateRequest request) {
    return db.autoCommit(
        "updateAlert",
        c -> {
          List<StoredAlert> updated =
              SqlCall.on(c, sql.alertUpdate)
                  .bind("id", request.id())
                  .bind("expectedVersion", request.expectedVersion())
                  .bind("state", column(request.state()))
                  .bind("body", request.body())
                  .query(OpsStore::alert);
          if (!updated.isEmpty()) {
            return new AlertUpdateResult(Optional.of(updated.get(0)), true);
          }
          List<StoredAlert> current =
              SqlCall.on(c, sql.alertFind).bind("id", request.id()).query(OpsStore::alert);
          return new AlertUpdateResult(current.stream().findFirst(), false);
        });
  }

  public Optional<StoredAlert> find(UUID id) {
    return db.autoCommit(
        "findAlert",
        c ->
            SqlCall.on(c, sql.alertFind).bind("id", id).query(OpsStore::alert).stream()
                .findFirst());
  }

  public AlertPage list(AlertListRequest request) {
    List<String> states = new ArrayList<>();
    for (AlertState s : request.states()) {
      states.add(column(s));
    }
    List<String> tenants = request.tenants() == null ? List.of() : List.copyOf(request.tenants());
    List<StoredAlert> rows =
        db.autoCommit(
            "listAlerts",
            c ->
                SqlCall.on(c, sql.alertList)
                    .bindArray("states", "text", states)
                    .bind("anyTenant", request.tenants() == null)
                    .bindArray("tenants", "text", tenants)
                    .bind("before", request.before())
                    .bind("limit", request.limit())
                    .query(OpsStore::alert));
    return AlertPage.of(rows, request.limit());
  }

  public long prune(AlertPruneRequest request) {
    return db.autoCommit(
        "pruneAlerts",
        c ->
            (long)
                SqlCall.on(c, sql.alertPrune)
                    .bind("retentionMillis", request.resolvedRetention().toMillis())
                    .bind("limit", request.limit())
                    .update());
  }

  public StoredSample writeSample(SampleWriteRequest request) {
    return db.autoCommit(
        "writeSample",
        c ->
            SqlCall.on(c, sql.sampleWrite)
                .bind("body", request.body())
                .bind("keepMillis", request.keep().toMillis())
                .query(rs -> new StoredSample(JobRowMapper.instant(rs, "at"), request.body()))
                .get(0));
  }

  public List<StoredSample> samples(SampleListRequest request) {
    return db.autoCommit(
        "samples",
        c ->
            SqlCall.on(c, sql.sampleList)
                .bind("sinceMillis", request.since().toMillis())
                .bind("limit", request.limit())
                .query(
                    rs -> new StoredSample(JobRowMapper.instant(rs, "at"), rs.getString("body"))));
  }

  private static String column(AlertState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static StoredAlert alert(ResultSet rs) throws SQLException {
    return new StoredAlert(
        rs.getObject("id", UUID.class),
        rs.getString("rule"),
        rs.getString("subject"),
        rs.getString("tenant"),
        AlertState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        JobRowMapper.instant(rs, "opened_at"),
        JobRowMapper.instant(rs, "updated_at"),
        rs.getLong("version"),
        rs.getString("body"));
  }
}
