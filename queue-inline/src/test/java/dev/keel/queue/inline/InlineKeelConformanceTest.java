package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.KeelConformanceTest;

/** The application-level contract (client, drain, worker, health) on the inline backend. */
class InlineKeelConformanceTest extends KeelConformanceTest {

  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
