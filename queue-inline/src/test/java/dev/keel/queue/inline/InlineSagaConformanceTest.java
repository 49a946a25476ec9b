package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SagaConformanceTest;

/** The Saga conformance suite on the inline backend and a manual clock. */
class InlineSagaConformanceTest extends SagaConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
