package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ConcurrencyKeyConformanceTest;

/** The ConcurrencyKey conformance suite on a real three-master Redis Cluster. */
class RedisClusterConcurrencyKeyConformanceTest extends ConcurrencyKeyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-concurrencykey");
  }
}
