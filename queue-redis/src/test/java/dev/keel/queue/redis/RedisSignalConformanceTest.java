package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SignalConformanceTest;

/** The Signal conformance suite on a standalone Redis. */
class RedisSignalConformanceTest extends SignalConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("signal");
  }
}
