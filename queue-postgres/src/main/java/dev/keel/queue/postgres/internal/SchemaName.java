package dev.keel.queue.postgres.internal;

import dev.keel.queue.KeelConfigurationException;
import java.util.regex.Pattern;

/**
 * A validated PostgreSQL schema name. Only lower-case unquoted-style identifiers are accepted, so
 * the name can be substituted into SQL text (always double-quoted) without any injection risk and
 * means the same quoted or not.
 */
public record SchemaName(String value) {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  public SchemaName {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new KeelConfigurationException(
          "schema: must be 1 to 48 characters of lower-case letters, digits and '_', not starting"
              + " with a digit; was "
              + (value == null ? "null" : "'" + value + "'"));
    }
  }

  /** The name double-quoted, for SQL text. */
  public String quoted() {
    return '"' + value + '"';
  }

  /** The LISTEN/NOTIFY channel of this schema's jobs. */
  public String channel() {
    return "keel_jobs_" + value;
  }
}
