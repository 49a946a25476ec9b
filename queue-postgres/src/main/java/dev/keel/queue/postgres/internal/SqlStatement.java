package dev.keel.queue.postgres.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One SQL statement read from a resource file, compiled once: its {@code :name} parameters turned
 * into JDBC {@code ?} placeholders (a name may occur several times), {@code ::type} casts and
 * quoted text left alone.
 *
 * @param name the resource file it came from, for error messages
 * @param jdbcSql the text handed to {@link java.sql.Connection#prepareStatement(String)}
 * @param parameters the parameter name of each placeholder, in order
 */
public record SqlStatement(
    String name, String jdbcSql, List<String> parameters, boolean customPlan) {

  /**
   * A statement file containing this line is always planned with its actual parameters. Optional
   * filters ({@code :tenant IS NULL OR ...}, {@code cardinality(:types) = 0 OR ...}) defeat
   * PostgreSQL's generic plans: after five executions the claim switched to a sequential scan and
   * sort (17 ms instead of 0.2 ms on 20,000 pending jobs).
   */
  public static final String CUSTOM_PLAN_MARKER = "-- keel:custom-plan";

  public SqlStatement {
    parameters = List.copyOf(parameters);
  }

  /** Compiles {@code sql}; full-line {@code --} comments are dropped. */
  public static SqlStatement compile(String name, String sql) {
    boolean customPlan = sql.contains(CUSTOM_PLAN_MARKER);
    StringBuilder out = new StringBuilder(sql.length());
    List<String> params = new ArrayList<>();
    String text = stripCommentLines(sql);
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int end = text.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalStateException(name + ": unterminated quote at " + i);
        }
        out.append(text, i, end + 1);
        i = end + 1;
      } else if (c == ':' && i + 1 < text.length() && text.charAt(i + 1) == ':') {
        out.append("::");
        i += 2;
      } else if (c == ':'
          && i + 1 < text.length()
          && Character.isJavaIdentifierStart(text.charAt(i + 1))) {
        int end = i + 1;
        while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
          end++;
        }
        params.add(text.substring(i + 1, end));
        out.append('?');
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return new SqlStatement(name, out.toString().strip(), params, customPlan);
  }

  private static String stripCommentLines(String sql) {
    StringBuilder b = new StringBuilder(sql.length());
    for (String line : sql.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }
}
