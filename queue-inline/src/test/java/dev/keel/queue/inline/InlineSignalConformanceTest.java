package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SignalConformanceTest;

/** The Signal conformance suite on the inline backend and a manual clock. */
class InlineSignalConformanceTest extends SignalConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
