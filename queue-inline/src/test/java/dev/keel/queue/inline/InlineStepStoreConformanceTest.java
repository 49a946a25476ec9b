package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepStoreConformanceTest;

/** The step-store conformance suite on the inline backend and a manual clock. */
class InlineStepStoreConformanceTest extends StepStoreConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
