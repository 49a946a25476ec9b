package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.OpsDataBackendConformanceTest;

/** The operations-data SPI contract against a real three-master Redis Cluster. */
class RedisClusterOpsDataConformanceTest extends OpsDataBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-opsdata");
  }
}
