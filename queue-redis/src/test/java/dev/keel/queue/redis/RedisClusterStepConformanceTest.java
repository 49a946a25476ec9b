package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepConformanceTest;

/** The Step conformance suite on a real three-master Redis Cluster. */
class RedisClusterStepConformanceTest extends StepConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-step");
  }
}
