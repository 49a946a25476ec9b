package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.LockConformanceTest;

/** The Lock conformance suite on the inline backend and a manual clock. */
class InlineLockConformanceTest extends LockConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
