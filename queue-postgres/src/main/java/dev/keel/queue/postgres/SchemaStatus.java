package dev.keel.queue.postgres;

import java.util.List;

/**
 * How a schema compares with the migrations shipped in this jar.
 *
 * @param schema the schema name
 * @param applied versions recorded in the schema's migration table, ascending (empty if none)
 * @param expected versions this jar ships, ascending
 */
public record SchemaStatus(String schema, List<Integer> applied, List<Integer> expected) {

  /** Where the schema stands. */
  public enum State {
    /** Every shipped migration is applied, nothing more. */
    CURRENT,
    /** Some shipped migrations are not applied yet (run {@link Migrator#migrate()}). */
    BEHIND,
    /** The schema has versions this jar does not know: a newer Keel migrated it. */
    AHEAD
  }

  public SchemaStatus {
    applied = List.copyOf(applied);
    expected = List.copyOf(expected);
  }

  public State state() {
    if (applied.stream().anyMatch(v -> !expected.contains(v))) {
      return State.AHEAD;
    }
    return applied.containsAll(expected) ? State.CURRENT : State.BEHIND;
  }

  public boolean isCurrent() {
    return state() == State.CURRENT;
  }

  /** A sentence for logs and errors. */
  public String describe() {
    return switch (state()) {
      case CURRENT -> "schema '" + schema + "' is current at version " + last(expected);
      case BEHIND ->
          "schema '"
              + schema
              + "' is behind: applied "
              + applied
              + ", this Keel needs "
              + expected
              + "; run the migrations (migrateOnStart or Migrator.migrate())";
      case AHEAD ->
          "schema '"
              + schema
              + "' is ahead: applied "
              + applied
              + " but this Keel knows only "
              + expected
              + "; upgrade Keel or point it at another schema";
    };
  }

  private static int last(List<Integer> versions) {
    return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
  }
}
