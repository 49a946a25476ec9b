package dev.keel.queue.inline;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.OpsDataBackendConformanceTest;

/** The operations-data SPI contract (alerts, samples, per-queue stats) on the inline backend. */
class InlineOpsDataBackendConformanceTest extends OpsDataBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new ManualClockFixture();
  }
}
