package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringKeelConformanceTest;

/** Recurring jobs through {@code Keel} on the inline backend and a manual clock. */
class InlineRecurringKeelConformanceTest extends RecurringKeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
