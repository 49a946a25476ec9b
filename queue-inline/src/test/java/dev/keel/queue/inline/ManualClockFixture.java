package dev.keel.queue.inline;

import dev.keel.queue.spi.ForwardingQueueBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ManualClock;
import java.time.Duration;
import java.time.InstantSource;

/** A fresh inline backend per test on one manual clock; passing time advances the clock. */
final class ManualClockFixture implements BackendFixture {
  private final ManualClock clock = ManualClock.startingAtDefault();
  private volatile QueueBackend last;

  @Override
  public QueueBackend openEmpty() {
    last = InlineBackend.create(clock);
    return last;
  }

  /** The inline backend lives in one process: a second node is a view that does not close it. */
  @Override
  public QueueBackend openAnother() {
    QueueBackend shared = last;
    if (shared == null) {
      throw new IllegalStateException("openAnother() before openEmpty()");
    }
    return new ForwardingQueueBackend() {
      @Override
      protected QueueBackend delegate() {
        return shared;
      }

      @Override
      public void close() {
        // The first node owns the backend.
      }
    };
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
