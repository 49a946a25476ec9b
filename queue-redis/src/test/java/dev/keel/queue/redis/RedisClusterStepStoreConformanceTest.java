package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepStoreConformanceTest;

/** The StepStore conformance suite on a real three-master Redis Cluster. */
class RedisClusterStepStoreConformanceTest extends StepStoreConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-stepstore");
  }
}
