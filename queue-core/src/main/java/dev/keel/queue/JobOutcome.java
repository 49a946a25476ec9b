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

  /**
   * Success with a result, stored on the job as JSON (at most {@link
   * dev.keel.queue.steps.StepLimits#MAX_RESULT_BYTES}), fenced by the lease like a step: read it
   * with {@code client.result(tenant, id, type)}, and a parent's {@code ctx.children} step collects
   * it. Needs a backend with durable steps; a null result is the same as {@link #success()}.
   */
  static JobOutcome success(Object result) {
    return result == null ? Success.INSTANCE : new Success(result);
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

  /**
   * @param result null for none
   */
  record Success(Object result) implements JobOutcome {
    public static final Success INSTANCE = new Success(null);
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
