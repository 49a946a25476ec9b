package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.OpsDataBackendConformanceTest;

/** The operations-data SPI contract against a standalone Redis, in a namespace of its own. */
class RedisOpsDataConformanceTest extends OpsDataBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("opsdata");
  }
}
