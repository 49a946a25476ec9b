package dev.keel.queue.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told. Give it to {@code Keel.builder().clock(...)} and to the inline
 * backend, then {@link #advance} to make scheduled jobs due, leases expire and retries come round,
 * without sleeping. Thread-safe.
 */
public final class ManualClock implements InstantSource {
  private final AtomicReference<Instant> now;

  public ManualClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /** Starts at 2030-01-01T00:00:00Z, a fixed point so tests are repeatable. */
  public static ManualClock startingAtDefault() {
    return new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock forward. */
  public Instant advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("a manual clock only moves forward; got " + d);
    }
    return now.updateAndGet(t -> t.plus(d));
  }

  /** Sets the clock; it may not move backwards. */
  public void set(Instant instant) {
    now.updateAndGet(
        t -> {
          if (instant.isBefore(t)) {
            throw new IllegalArgumentException(
                "a manual clock only moves forward: " + instant + " < " + t);
          }
          return instant;
        });
  }
}
