package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringBackendConformanceTest;

/** The recurring-schedule SPI contract against a real three-master Redis Cluster. */
class RedisClusterRecurringConformanceTest extends RecurringBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-recurring");
  }
}
