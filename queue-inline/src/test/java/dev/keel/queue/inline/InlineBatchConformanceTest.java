package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.BatchConformanceTest;

/** The Batch conformance suite on the inline backend and a manual clock. */
class InlineBatchConformanceTest extends BatchConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
