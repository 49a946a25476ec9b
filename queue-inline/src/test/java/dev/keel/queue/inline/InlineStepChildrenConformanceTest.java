package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepChildrenConformanceTest;

/** The children-step conformance suite on the inline backend and a manual clock. */
class InlineStepChildrenConformanceTest extends StepChildrenConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
