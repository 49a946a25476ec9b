package dev.keel.queue.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Binds named values to one {@link SqlStatement} on a connection and runs it. Arrays are bound as
 * one SQL array parameter each, so a batch of any size is one statement with fixed text (and one
 * server-side prepared plan).
 */
public final class SqlCall {
  private final Connection connection;
  private final SqlStatement statement;
  private final Map<String, Object> values = new HashMap<>();

  private SqlCall(Connection connection, SqlStatement statement) {
    this.connection = connection;
    this.statement = statement;
  }

  public static SqlCall on(Connection connection, SqlStatement statement) {
    return new SqlCall(connection, statement);
  }

  /** Binds a scalar: String, Integer, Long, Boolean, UUID or null. */
  public SqlCall bind(String name, Object value) {
    values.put(name, value);
    return this;
  }

  /** Binds a SQL array of {@code sqlType} (e.g. {@code text}, {@code uuid}, {@code int8}). */
  public SqlCall bindArray(String name, String sqlType, List<?> elements) throws SQLException {
    values.put(name, connection.createArrayOf(sqlType, elements.toArray()));
    return this;
  }

  /** Runs a statement that returns rows and maps each with {@code mapper}. */
  public <T> List<T> query(RowMapper<T> mapper) throws SQLException {
    try (PreparedStatement ps = prepare();
        ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    }
  }

  /** Runs a statement that returns no rows; the affected row count. */
  public int update() throws SQLException {
    try (PreparedStatement ps = prepare()) {
      return ps.executeUpdate();
    }
  }

  private PreparedStatement prepare() throws SQLException {
    PreparedStatement ps = connection.prepareStatement(statement.jdbcSql());
    try {
      if (statement.customPlan()) {
        // Never a server-side named statement, so never a generic plan: see SqlStatement.
        ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
      }
      List<String> params = statement.parameters();
      for (int i = 0; i < params.size(); i++) {
        String name = params.get(i);
        if (!values.containsKey(name)) {
          throw new IllegalStateException(statement.name() + ": parameter :" + name + " not bound");
        }
        setValue(ps, i + 1, values.get(name));
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static void setValue(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.NULL);
    } else if (value instanceof String s) {
      ps.setString(index, s);
    } else if (value instanceof Integer n) {
      ps.setInt(index, n);
    } else if (value instanceof Long n) {
      ps.setLong(index, n);
    } else if (value instanceof Boolean b) {
      ps.setBoolean(index, b);
    } else if (value instanceof UUID u) {
      ps.setObject(index, u);
    } else if (value instanceof Array a) {
      ps.setArray(index, a);
    } else {
      throw new IllegalArgumentException("unsupported parameter type " + value.getClass());
    }
  }

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }
}
