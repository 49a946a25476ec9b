package dev.keel.outbox.internal;

import dev.keel.queue.postgres.internal.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs compiled statements with named parameters on a JDBC connection. */
public final class Jdbc {
  private Jdbc() {}

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Prepares {@code st} with its parameters bound by name from {@code params}. */
  public static PreparedStatement prepare(Connection c, SqlStatement st, Map<String, ?> params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(st.jdbcSql());
    try {
      List<String> names = st.parameters();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        if (!params.containsKey(name)) {
          throw new IllegalArgumentException(st.name() + ": no value for parameter :" + name);
        }
        bind(c, ps, i + 1, params.get(name));
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static void bind(Connection c, PreparedStatement ps, int index, Object value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else if (value instanceof SqlArray a) {
      ps.setArray(index, c.createArrayOf(a.elementType(), a.values()));
    } else if (value instanceof String s) {
      ps.setString(index, s);
    } else {
      ps.setObject(index, value);
    }
  }

  /** Runs a statement that returns rows. */
  public static <T> List<T> query(
      Connection c, SqlStatement st, Map<String, ?> params, RowMapper<T> mapper)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, st, params);
        ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
      return out;
    }
  }

  /** Runs a statement that returns no rows; the update count. */
  public static int update(Connection c, SqlStatement st, Map<String, ?> params)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, st, params)) {
      return ps.executeUpdate();
    }
  }
}
