package dev.keel.outbox.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.postgres.internal.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The outbox's own connections (relay, ledger, migrator; never the caller's transaction). Database
 * failures surface as {@link BackendUnavailableException} naming the schema and the operation; the
 * SQL exception is the cause.
 */
public final class Database {
  private final DataSource dataSource;
  private final SchemaName schema;
  private final Statements statements;

  public Database(DataSource dataSource, SchemaName schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.statements = new Statements(schema);
  }

  /** Work on a connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public SchemaName schema() {
    return schema;
  }

  public Statements sql() {
    return statements;
  }

  /** Runs {@code work} in autocommit mode: each statement is its own transaction. */
  public <T> T autoCommit(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (SQLException e) {
      throw unavailable(operation, e);
    }
  }

  /** Runs {@code work} in one transaction, committed when it returns, rolled back if it throws. */
  public <T> T inTransaction(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw unavailable(operation, e);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable primary) {
    try {
      c.rollback();
    } catch (SQLException rollbackFailure) {
      // The primary failure is what the caller needs; the rollback failure travels with it.
      primary.addSuppressed(rollbackFailure);
    }
  }

  /** The exception for a failed database operation. */
  public BackendUnavailableException unavailable(String operation, SQLException e) {
    return new BackendUnavailableException(
        "outbox database (schema "
            + schema.value()
            + ") failed while "
            + operation
            + ": "
            + e.getMessage()
            + " — check that PostgreSQL is reachable and the schema is migrated",
        e);
  }
}
