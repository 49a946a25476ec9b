package dev.keel.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an idempotency key keeps returning its job.
 *
 * <ul>
 *   <li>{@link #whileActive()} (default): while the job is PENDING or RUNNING. Once it finished,
 *       the same key creates a new job.
 *   <li>{@link #window(Duration)}: also for this long after the job finished (by finishedAt).
 * </ul>
 */
public sealed interface IdempotencyPolicy {

  static IdempotencyPolicy whileActive() {
    return WhileActive.INSTANCE;
  }

  static IdempotencyPolicy window(Duration window) {
    return new Window(window);
  }

  /** Held only while the job is PENDING or RUNNING. */
  enum WhileActive implements IdempotencyPolicy {
    INSTANCE
  }

  /** Held while active and for {@code duration} after the job finished. */
  record Window(Duration duration) implements IdempotencyPolicy {
    public Window {
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative() || duration.isZero()) {
        throw new InvalidJobException("idempotencyPolicy.window", "must be positive");
      }
    }
  }
}
