package dev.keel.queue.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A connection held for a long time by the LISTEN thread, and how to give it back.
 *
 * @param connection the JDBC connection
 * @param release closes it (or returns it to the pool it came from)
 */
public record ListenConnection(Connection connection, Release release) {

  /** Gives the connection back. */
  @FunctionalInterface
  public interface Release {
    void run() throws SQLException;
  }

  /** Opens a {@link ListenConnection}. */
  @FunctionalInterface
  public interface Opener {
    ListenConnection open() throws SQLException;
  }
}
