package dev.keel.queue.postgres;

import dev.keel.queue.KeelException;
import dev.keel.queue.postgres.internal.Failures;
import dev.keel.queue.postgres.internal.SchemaName;
import dev.keel.queue.postgres.internal.Statements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
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
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private static final String DIR = "/dev/keel/queue/postgres/migrations/";
  private static final Pattern FILE = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");

  private final Jdbi jdbi;
  private final SchemaName schema;
  private final Failures failures;

  /** One shipped migration. */
  record Migration(int version, String file) {}

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
    return shipped().stream().map(Migration::version).toList();
  }

  static List<Migration> shipped() {
    List<Migration> list = new ArrayList<>();
    for (String line : Statements.readResource(DIR + "index.txt").split("\n")) {
      String file = line.strip();
      if (file.isEmpty()) {
        continue;
      }
      Matcher m = FILE.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("bad migration file name in index.txt: " + file);
      }
      list.add(new Migration(Integer.parseInt(m.group(1)), file));
    }
    return list;
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
      long key = lockKey();
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
        lock.setLong(1, key);
        lock.execute();
      }
      try {
        return migrateLocked(c);
      } finally {
        try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
          unlock.setLong(1, key);
          unlock.execute();
        }
      }
    } catch (KeelException e) {
      throw e;
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable("migrating schema " + schema.value(), e);
    }
  }

  private SchemaStatus migrateLocked(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema.quoted());
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema.quoted()
              + ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
              + " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    SchemaStatus before = status(c);
    if (before.state() == SchemaStatus.State.AHEAD) {
      throw new SchemaMismatchException(before);
    }
    for (Migration m : shipped()) {
      if (before.applied().contains(m.version())) {
        continue;
      }
      apply(c, m);
    }
    return status(c);
  }

  private void apply(Connection c, Migration m) throws SQLException {
    String script = Statements.substitute(Statements.readResource(DIR + m.file()), schema);
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute(script);
      }
      try (PreparedStatement record =
          c.prepareStatement(
              "INSERT INTO "
                  + schema.quoted()
                  + ".schema_migrations (version, name) VALUES (?, ?)")) {
        record.setInt(1, m.version());
        record.setString(2, m.file());
        record.executeUpdate();
      }
      c.commit();
      LOG.info("applied migration {} to schema {}", m.file(), schema.value());
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
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
    List<Integer> applied = new ArrayList<>();
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, schema.quoted() + ".schema_migrations");
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return new SchemaStatus(schema.value(), applied, shippedVersions());
        }
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version FROM " + schema.quoted() + ".schema_migrations ORDER BY version")) {
      while (rs.next()) {
        applied.add(rs.getInt(1));
      }
    }
    return new SchemaStatus(schema.value(), applied, shippedVersions());
  }

  /** A stable 64-bit advisory-lock key for migrating this schema. */
  private long lockKey() {
    long h = 1125899906842597L;
    for (char ch : ("keel.migrate:" + schema.value()).toCharArray()) {
      h = 31 * h + ch;
    }
    return h;
  }
}
