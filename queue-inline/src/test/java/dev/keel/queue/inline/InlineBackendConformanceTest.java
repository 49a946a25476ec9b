package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.QueueBackendConformanceTest;

/** The whole backend contract, run on the inline backend with a manual clock. */
class InlineBackendConformanceTest extends QueueBackendConformanceTest {

  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
