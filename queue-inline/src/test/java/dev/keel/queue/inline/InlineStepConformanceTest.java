package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepConformanceTest;

/** The Step conformance suite on the inline backend and a manual clock. */
class InlineStepConformanceTest extends StepConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
