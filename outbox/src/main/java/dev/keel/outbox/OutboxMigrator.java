package dev.keel.outbox;

import dev.keel.outbox.internal.Database;
import dev.keel.outbox.internal.Resources;
import dev.keel.outbox.internal.SchemaName;
import dev.keel.outbox.internal.Statements;
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
import org.slf4j.Logger;
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
  private static final Logger LOG = LoggerFactory.getLogger(OutboxMigrator.class);
  private static final String DIR = "/dev/keel/outbox/migrations/";
  private static final Pattern FILE = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");

  private final Database db;

  private record Migration(int version, String file) {}

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
    return shipped().stream().map(Migration::version).toList();
  }

  private static List<Migration> shipped() {
    List<Migration> list = new ArrayList<>();
    for (String line : Resources.read(DIR + "index.txt").split("\n")) {
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
   * Creates the schema if needed and applies every shipped migration not applied yet.
   *
   * @return the versions applied by this call (empty if the schema was current)
   * @throws dev.keel.queue.KeelConfigurationException if the schema has versions this jar does not
   *     know (it was migrated by a newer Keel)
   * @throws dev.keel.queue.BackendUnavailableException if the database fails
   */
  public List<Integer> migrate() {
    return db.autoCommit(
        "migrating",
        c -> {
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
        });
  }

  /** The versions applied to the schema, ascending (empty if it was never migrated). */
  public List<Integer> appliedVersions() {
    return db.autoCommit("reading schema version", this::applied);
  }

  private List<Integer> migrateLocked(Connection c) throws SQLException {
    String schema = db.schema().quoted();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".outbox_schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
              + " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    List<Integer> before = applied(c);
    List<Integer> known = shippedVersions();
    for (Integer v : before) {
      if (!known.contains(v)) {
        throw new dev.keel.queue.KeelConfigurationException(
            "schema "
                + db.schema().value()
                + " has outbox migration "
                + v
                + " which this jar does not ship (it ships "
                + known
                + "): upgrade Keel");
      }
    }
    List<Integer> done = new ArrayList<>();
    for (Migration m : shipped()) {
      if (!before.contains(m.version())) {
        apply(c, m);
        done.add(m.version());
      }
    }
    return done;
  }

  private void apply(Connection c, Migration m) throws SQLException {
    String script = Statements.substitute(Resources.read(DIR + m.file()), db.schema());
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute(script);
      }
      try (PreparedStatement record =
          c.prepareStatement(
              "INSERT INTO "
                  + db.schema().quoted()
                  + ".outbox_schema_migrations (version, name) VALUES (?, ?)")) {
        record.setInt(1, m.version());
        record.setString(2, m.file());
        record.executeUpdate();
      }
      c.commit();
      LOG.info("applied outbox migration {} to schema {}", m.file(), db.schema().value());
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private List<Integer> applied(Connection c) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, db.schema().quoted() + ".outbox_schema_migrations");
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return versions;
        }
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version FROM "
                    + db.schema().quoted()
                    + ".outbox_schema_migrations ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  /** A stable 64-bit advisory-lock key for migrating this schema. */
  private long lockKey() {
    long h = 1125899906842597L;
    for (char ch : ("keel.outbox.migrate:" + db.schema().value()).toCharArray()) {
      h = 31 * h + ch;
    }
    return h;
  }
}
