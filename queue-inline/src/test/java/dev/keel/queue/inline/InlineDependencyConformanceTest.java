package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.DependencyConformanceTest;

/** The Dependency conformance suite on the inline backend and a manual clock. */
class InlineDependencyConformanceTest extends DependencyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
