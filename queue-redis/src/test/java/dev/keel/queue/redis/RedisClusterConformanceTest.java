package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.QueueBackendConformanceTest;

/** The backend contract against a real three-master Redis Cluster. */
class RedisClusterConformanceTest extends QueueBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-conformance");
  }
}
