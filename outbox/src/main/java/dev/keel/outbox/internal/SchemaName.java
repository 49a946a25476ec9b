package dev.keel.outbox.internal;

import dev.keel.queue.KeelConfigurationException;
import java.util.regex.Pattern;

/**
 * A validated PostgreSQL schema name. Only lower-case unquoted-style identifiers are accepted, so
 * the name can be put into SQL text (always double-quoted) with no injection risk.
 *
 * @param value the bare name
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

  /** The LISTEN/NOTIFY channel announcing new messages of this schema (at most 60 characters). */
  public String channel() {
    return "keel_outbox_" + value;
  }
}
