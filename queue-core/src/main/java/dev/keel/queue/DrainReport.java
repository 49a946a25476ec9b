package dev.keel.queue;

import java.time.Duration;

/**
 * What a drain did. {@code ran} = succeeded + retried + failed + snoozed + cancelled + leaseLost.
 *
 * @param stoppedBecause why it returned
 */
public record DrainReport(
    int ran,
    int succeeded,
    int retried,
    int failed,
    int snoozed,
    int cancelled,
    int leaseLost,
    Duration elapsed,
    StopReason stoppedBecause) {

  public enum StopReason {
    /** No due job matched the filters. */
    IDLE,
    /** maxJobs ran. */
    MAX_JOBS,
    /** The time budget ran out. */
    BUDGET,
    /** The calling thread was interrupted; its interrupt flag is left set. */
    INTERRUPTED
  }
}
