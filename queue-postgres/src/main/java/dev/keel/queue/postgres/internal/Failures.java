package dev.keel.queue.postgres.internal;

import dev.keel.queue.BackendUnavailableException;
import java.sql.SQLException;

/**
 * Turns driver and pool failures into {@link BackendUnavailableException}: the message names the
 * database (password masked), what failed and what to check; the cause is kept.
 */
public final class Failures {
  private final String description;
  private final String secret;

  /**
   * @param description how to name the database in messages, already masked
   * @param secret a password to mask should a driver message echo it, or null
   */
  public Failures(String description, String secret) {
    this.description = description;
    this.secret = secret == null || secret.isEmpty() ? null : secret;
  }

  public BackendUnavailableException unavailable(String operation, Throwable cause) {
    String detail =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    SQLException sql = findSqlException(cause);
    String state =
        sql == null || sql.getSQLState() == null ? "" : " [SQLState " + sql.getSQLState() + "]";
    String message =
        "PostgreSQL backend "
            + description
            + ": "
            + operation
            + " failed: "
            + detail
            + state
            + ". Check that the database is running and reachable, the credentials and the"
            + " schema migrations.";
    return new BackendUnavailableException(mask(message), cause);
  }

  /** The message with the secret, if any, replaced by {@code ***}. */
  public String mask(String message) {
    return secret == null ? message : message.replace(secret, "***");
  }

  /** True if {@code e} says the connection itself is broken (SQLState class 08, admin shutdown). */
  public static boolean isConnectionBroken(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }

  private static SQLException findSqlException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }
}
