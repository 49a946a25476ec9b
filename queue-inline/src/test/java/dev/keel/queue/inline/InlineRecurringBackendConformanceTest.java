package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringBackendConformanceTest;

/** The recurring-schedule SPI contract on the inline backend. */
class InlineRecurringBackendConformanceTest extends RecurringBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
