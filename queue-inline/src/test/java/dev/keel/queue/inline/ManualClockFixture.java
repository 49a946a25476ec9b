package dev.keel.queue.inline;

import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ManualClock;
import java.time.Duration;
import java.time.InstantSource;

/** A fresh inline backend per test on one manual clock; passing time advances the clock. */
final class ManualClockFixture implements BackendFixture {
  private final ManualClock clock = ManualClock.startingAtDefault();

  @Override
  public QueueBackend openEmpty() {
    return InlineBackend.create(clock);
  }

  @Override
  public InstantSource clock() {
    return clock;
  }

  @Override
  public void passTime(Duration d) {
    clock.advance(d);
  }

  @Override
  public void close() {
    // Nothing to drop: each backend's jobs live only in that backend's memory.
  }
}
