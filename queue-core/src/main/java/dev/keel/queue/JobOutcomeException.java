package dev.keel.queue;

import java.time.Duration;

/**
 * Thrown by a handler to end its job with a specific outcome, for code where returning a value is
 * awkward. The factory methods name the outcomes: {@link #permanentFailure}, {@link #snooze},
 * {@link #cancel}.
 */
public class JobOutcomeException extends KeelException {
  private final transient JobOutcome outcome;

  public JobOutcomeException(JobOutcome outcome, String message, Throwable cause) {
    super(message, cause);
    this.outcome = outcome;
  }

  public JobOutcome outcome() {
    return outcome;
  }

  /** FAILED now, no retry; {@code cause} (may be null) is stored on the job. */
  public static JobOutcomeException permanentFailure(String reason, Throwable cause) {
    return new JobOutcomeException(JobOutcome.permanentFailure(reason), reason, cause);
  }

  public static JobOutcomeException permanentFailure(String reason) {
    return permanentFailure(reason, null);
  }

  /** Run again after {@code delay}, giving the attempt back. */
  public static JobOutcomeException snooze(Duration delay) {
    return new JobOutcomeException(JobOutcome.snooze(delay), "snooze " + delay, null);
  }

  /** CANCELLED. */
  public static JobOutcomeException cancel(String reason) {
    return new JobOutcomeException(JobOutcome.cancel(reason), reason, null);
  }
}
