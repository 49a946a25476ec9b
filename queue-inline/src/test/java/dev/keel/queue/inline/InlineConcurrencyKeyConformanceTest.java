package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ConcurrencyKeyConformanceTest;

/** The ConcurrencyKey conformance suite on the inline backend and a manual clock. */
class InlineConcurrencyKeyConformanceTest extends ConcurrencyKeyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
