package dev.keel.queue.postgres;

import dev.keel.queue.KeelException;
import dev.keel.queue.postgres.internal.Failures;
import dev.keel.queue.postgres.internal.MigrationScripts;
import dev.keel.queue.postgres.internal.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered migrations shipped in this jar ({@code
 * dev/keel/queue/postgres/migrations/V001__name.sql}, listed in {@code index.txt}) to one schema.
 * Each migration runs in its own transaction together with the row recording its version, so a
 * failed migration leaves no trace. Concurrent migrators (several nodes starting at once) are
 * serialized by a session-level advisory lock keyed by the schema name, so each migration runs
 * exactly once. Running {@link #migrate()} on a current schema changes nothing.
 */
public final class Migrator {
  private static final MigrationScripts SCRIPTS =
      new MigrationScripts(
          Migrator.class,
          "/dev/keel/queue/postgres/migrations/",
          "queue-postgres",
          "schema_migrations",
          "keel.migrate:",
          LoggerFactory.getLogger(Migrator.class),
          "migration");

  private final Jdbi jdbi;
  private final SchemaName schema;
  private final Failures failures;

  Migrator(Jdbi jdbi, SchemaName schema, Failures failures) {
    this.jdbi = jdbi;
    this.schema = schema;
    this.failures = failures;
  }

  /**
   * A migrator for {@code schema} on {@code dataSource}.
   *
   * @throws dev.keel.queue.KeelConfigurationException if the schema name is not a valid identifier
   */
  public static Migrator of(DataSource dataSource, String schema) {
    return new Migrator(
        Jdbi.create(dataSource),
        new SchemaName(schema),
        new Failures("(schema " + schema + ")", null));
  }

  /** The versions this jar ships, ascending. */
  public static List<Integer> shippedVersions() {
    return SCRIPTS.shippedVersions();
  }

  /**
   * Creates the schema if needed and applies every shipped migration not yet applied.
   *
   * @return the status afterwards
   * @throws SchemaMismatchException if the schema is ahead of this jar
   * @throws dev.keel.queue.BackendUnavailableException if the database fails
   */
  public SchemaStatus migrate() {
    try (Handle h = jdbi.open()) {
      Connection c = h.getConnection();
      c.setAutoCommit(true);
      return SCRIPTS.locked(c, schema, this::migrateLocked);
    } catch (KeelException e) {
      throw e;
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable("migrating schema " + schema.value(), e);
    }
  }

  private SchemaStatus migrateLocked(Connection c) throws SQLException {
    SCRIPTS.createHistory(c, schema);
    SchemaStatus before = status(c);
    if (before.state() == SchemaStatus.State.AHEAD) {
      throw new SchemaMismatchException(before);
    }
    for (MigrationScripts.Migration m : SCRIPTS.shipped()) {
      if (before.applied().contains(m.version())) {
        continue;
      }
      SCRIPTS.apply(c, schema, m);
    }
    return status(c);
  }

  /**
   * Compares the schema with the shipped migrations without changing anything.
   *
   * @throws dev.keel.queue.BackendUnavailableException if the database fails
   */
  public SchemaStatus validate() {
    try (Handle h = jdbi.open()) {
      return status(h.getConnection());
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable("validating schema " + schema.value(), e);
    }
  }

  /**
   * Throws unless the schema is current.
   *
   * @throws SchemaMismatchException if it is behind or ahead
   */
  public SchemaStatus requireCurrent() {
    SchemaStatus status = validate();
    if (!status.isCurrent()) {
      throw new SchemaMismatchException(status);
    }
    return status;
  }

  private SchemaStatus status(Connection c) throws SQLException {
    return new SchemaStatus(schema.value(), SCRIPTS.applied(c, schema), shippedVersions());
  }
}
