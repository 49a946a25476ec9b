package dev.keel.queue.postgres.internal;

import dev.keel.queue.KeelException;
import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Runs backend work on a connection from the application's pool (through Jdbi, which owns the
 * transaction handling) and turns every driver failure into a masked {@link
 * dev.keel.queue.BackendUnavailableException}. Keel's own exceptions (such as an idempotency
 * conflict) pass through unchanged after the transaction rolled back.
 */
public final class Database {
  private final Jdbi jdbi;
  private final Failures failures;

  public Database(Jdbi jdbi, Failures failures) {
    this.jdbi = jdbi;
    this.failures = failures;
  }

  public Failures failures() {
    return failures;
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(String operation, Work<T> work) {
    try {
      return jdbi.inTransaction(handle -> work.run(handle.getConnection()));
    } catch (KeelException e) {
      throw e;
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable(operation, e);
    }
  }

  /** Runs {@code work} in auto-commit mode: for a single statement, one round trip. */
  public <T> T autoCommit(String operation, Work<T> work) {
    try {
      return jdbi.withHandle(handle -> work.run(handle.getConnection()));
    } catch (KeelException e) {
      throw e;
    } catch (SQLException | JdbiException e) {
      throw failures.unavailable(operation, e);
    }
  }
}
