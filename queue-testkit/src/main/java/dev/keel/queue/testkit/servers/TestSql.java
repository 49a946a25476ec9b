package dev.keel.queue.testkit.servers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * One-line SQL for test setup and assertions on a test database. A failure is a broken test
 * environment, so it surfaces unchecked with the statement in the message.
 */
public final class TestSql {
  private TestSql() {}

  /** Runs one statement on its own connection. */
  public static void execute(DataSource dataSource, String sql) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }

  /** Runs a query whose first row's first column is a number. */
  public static long queryLong(DataSource dataSource, String sql) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }
}
