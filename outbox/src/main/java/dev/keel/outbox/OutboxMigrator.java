package dev.keel.outbox;

import dev.keel.outbox.internal.Database;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.postgres.internal.MigrationScripts;
import dev.keel.queue.postgres.internal.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered migrations shipped in this jar ({@code
 * dev/keel/outbox/migrations/V001__name.sql}, listed in {@code index.txt}) to one schema, recording
 * each in {@code outbox_schema_migrations}. Each migration runs in its own transaction with its
 * version row, so a failed one leaves no trace. Migrators started at once on several nodes are
 * serialized by a session advisory lock keyed by the schema, so each migration runs exactly once;
 * running {@link #migrate()} on a current schema changes nothing.
 */
public final class OutboxMigrator {
  private static final MigrationScripts SCRIPTS =
      new MigrationScripts(
          OutboxMigrator.class,
          "/dev/keel/outbox/migrations/",
          "outbox",
          "outbox_schema_migrations",
          "keel.outbox.migrate:",
          LoggerFactory.getLogger(OutboxMigrator.class),
          "outbox migration");

  private final Database db;

  private OutboxMigrator(Database db) {
    this.db = db;
  }

  /**
   * A migrator for {@code schema} on {@code dataSource}.
   *
   * @throws dev.keel.queue.KeelConfigurationException if the schema name is not a plain lower-case
   *     identifier
   */
  public static OutboxMigrator of(DataSource dataSource, String schema) {
    return new OutboxMigrator(new Database(dataSource, new SchemaName(schema)));
  }

  /** The versions this jar ships, ascending. */
  public static List<Integer> shippedVersions() {
    return SCRIPTS.shippedVersions();
  }

  /**
   * Creates the schema if needed and applies every shipped migration not applied yet.
   *
   * @return the versions applied by this call (empty if the schema was current)
   * @throws dev.keel.queue.KeelConfigurationException if the schema has versions this jar does not
   *     know (it was migrated by a newer Keel)
   * @throws dev.keel.queue.BackendUnavailableException if the database fails
   */
  public List<Integer> migrate() {
    return db.autoCommit("migrating", c -> SCRIPTS.locked(c, db.schema(), this::migrateLocked));
  }

  /** The versions applied to the schema, ascending (empty if it was never migrated). */
  public List<Integer> appliedVersions() {
    return db.autoCommit("reading schema version", c -> SCRIPTS.applied(c, db.schema()));
  }

  private List<Integer> migrateLocked(Connection c) throws SQLException {
    SchemaName schema = db.schema();
    SCRIPTS.createHistory(c, schema);
    List<Integer> before = SCRIPTS.applied(c, schema);
    List<Integer> known = shippedVersions();
    for (Integer v : before) {
      if (!known.contains(v)) {
        throw new KeelConfigurationException(
            "schema "
                + schema.value()
                + " has outbox migration "
                + v
                + " which this jar does not ship (it ships "
                + known
                + "): upgrade Keel");
      }
    }
    List<Integer> done = new ArrayList<>();
    for (MigrationScripts.Migration m : SCRIPTS.shipped()) {
      if (!before.contains(m.version())) {
        SCRIPTS.apply(c, schema, m);
        done.add(m.version());
      }
    }
    return done;
  }
}
