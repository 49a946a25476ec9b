package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepChildrenConformanceTest;

/** The children-step conformance suite on a real three-master Redis Cluster. */
class RedisClusterStepChildrenConformanceTest extends StepChildrenConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-step");
  }
}
