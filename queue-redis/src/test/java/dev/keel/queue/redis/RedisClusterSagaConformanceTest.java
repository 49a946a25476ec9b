package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SagaConformanceTest;

/** The Saga conformance suite on a real three-master Redis Cluster. */
class RedisClusterSagaConformanceTest extends SagaConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-saga");
  }
}
