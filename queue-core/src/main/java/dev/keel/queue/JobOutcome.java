package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * What a handler says happened. Return one from {@link JobHandler#handle}, or throw the matching
 * {@link JobOutcomeException}. Any other exception is a {@link Retry} with the policy's delay.
 */
public sealed interface JobOutcome {

  static JobOutcome success() {
    return Success.INSTANCE;
  }

  /** Try again after the retry policy's delay; uses an attempt; FAILED if none is left. */
  static JobOutcome retry(String reason) {
    return new Retry(reason, null);
  }

  /** Try again after exactly {@code delay}; uses an attempt; FAILED if none is left. */
  static JobOutcome retryAfter(Duration delay, String reason) {
    return new Retry(reason, Objects.requireNonNull(delay, "delay"));
  }

  /** Do not try again: FAILED now, whatever attempts are left. */
  static JobOutcome permanentFailure(String reason) {
    return new PermanentFailure(reason);
  }

  /** Run again after {@code delay}, giving this attempt back. */
  static JobOutcome snooze(Duration delay) {
    return new Snooze(delay);
  }

  /** Stop for good: CANCELLED. */
  static JobOutcome cancel(String reason) {
    return new Cancel(reason);
  }

  enum Success implements JobOutcome {
    INSTANCE
  }

  /**
   * @param delay null for the retry policy's delay
   */
  record Retry(String reason, Duration delay) implements JobOutcome {
    public Retry {
      reason = Objects.requireNonNullElse(reason, "retry requested");
      if (delay != null && delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative");
      }
    }
  }

  record PermanentFailure(String reason) implements JobOutcome {
    public PermanentFailure {
      reason = Objects.requireNonNullElse(reason, "permanent failure");
    }
  }

  record Snooze(Duration delay) implements JobOutcome {
    public Snooze {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative");
      }
    }
  }

  record Cancel(String reason) implements JobOutcome {
    public Cancel {
      reason = Objects.requireNonNullElse(reason, "cancelled by handler");
    }
  }
}
