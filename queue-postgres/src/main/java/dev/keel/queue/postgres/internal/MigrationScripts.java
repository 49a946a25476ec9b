package dev.keel.queue.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The numbered migrations one Keel component ships ({@code V001__name.sql} files listed in {@code
 * index.txt} under one resource directory) and the table recording which of them a schema has. Both
 * the queue's {@code Migrator} and the outbox's migrator run on this; they differ only in the
 * directory, the history table and the advisory-lock name, so two components can migrate the same
 * schema independently.
 */
public final class MigrationScripts {
  private static final Pattern FILE = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");

  private final Class<?> owner;
  private final String dir;
  private final String jar;
  private final String historyTable;
  private final String lockName;
  private final Logger log;
  private final String label;

  /**
   * One shipped migration.
   *
   * @param version its number
   * @param file its file name under the directory
   */
  public record Migration(int version, String file) {}

  /** Work on a connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * @param owner a class of the jar shipping the scripts, through which they are read
   * @param dir the resource directory, with leading and trailing {@code /}
   * @param jar the jar shipping it, for the message if a resource is missing
   * @param historyTable the unqualified table recording applied versions
   * @param lockName the prefix of the advisory-lock key (the schema name is appended)
   * @param log the component's logger, which reports each applied migration
   * @param label how the log names a migration of this component ("migration", "outbox migration")
   */
  public MigrationScripts(
      Class<?> owner,
      String dir,
      String jar,
      String historyTable,
      String lockName,
      Logger log,
      String label) {
    this.owner = owner;
    this.dir = dir;
    this.jar = jar;
    this.historyTable = historyTable;
    this.lockName = lockName;
    this.log = log;
    this.label = label;
  }

  /** The shipped migrations, in the order of {@code index.txt}. */
  public List<Migration> shipped() {
    List<Migration> list = new ArrayList<>();
    for (String line : Statements.readResource(owner, dir + "index.txt", jar).split("\n")) {
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

  /** The shipped versions, ascending. */
  public List<Integer> shippedVersions() {
    return shipped().stream().map(Migration::version).toList();
  }

  /**
   * Runs {@code work} holding the session advisory lock for migrating {@code schema}, so migrators
   * started at once on several nodes run one after the other.
   */
  public <T> T locked(Connection c, SchemaName schema, Work<T> work) throws SQLException {
    long key = lockKey(schema);
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
      lock.setLong(1, key);
      lock.execute();
    }
    try {
      return work.run(c);
    } finally {
      try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        unlock.setLong(1, key);
        unlock.execute();
      }
    }
  }

  /** Creates the schema and the history table if they do not exist. */
  public void createHistory(Connection c, SchemaName schema) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema.quoted());
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table(schema)
              + " (version integer PRIMARY KEY, name text NOT NULL,"
              + " applied_at timestamptz NOT NULL DEFAULT now())");
    }
  }

  /**
   * Runs one migration and records its version in one transaction, so a failed migration leaves no
   * trace. {@code c} must be in autocommit mode and is left in it.
   */
  public void apply(Connection c, SchemaName schema, Migration m) throws SQLException {
    String script =
        Statements.substitute(Statements.readResource(owner, dir + m.file(), jar), schema);
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute(script);
      }
      try (PreparedStatement record =
          c.prepareStatement("INSERT INTO " + table(schema) + " (version, name) VALUES (?, ?)")) {
        record.setInt(1, m.version());
        record.setString(2, m.file());
        record.executeUpdate();
      }
      c.commit();
      log.info("applied {} {} to schema {}", label, m.file(), schema.value());
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The versions applied to {@code schema}, ascending; empty if it has no history table. */
  public List<Integer> applied(Connection c, SchemaName schema) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, table(schema));
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return versions;
        }
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT version FROM " + table(schema) + " ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  private String table(SchemaName schema) {
    return schema.quoted() + "." + historyTable;
  }

  /** A stable 64-bit advisory-lock key for migrating {@code schema}. */
  private long lockKey(SchemaName schema) {
    long h = 1125899906842597L;
    for (char ch : (lockName + schema.value()).toCharArray()) {
      h = 31 * h + ch;
    }
    return h;
  }
}
