package dev.keel.queue.postgres.internal;

import dev.keel.queue.JobState;
import java.util.Locale;

/** The {@code state} column's lower-case spelling of {@link JobState}. */
public final class JobStates {
  private JobStates() {}

  public static String toColumn(JobState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromColumn(String value) {
    return JobState.valueOf(value.toUpperCase(Locale.ROOT));
  }
}
