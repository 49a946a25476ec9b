package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.DependencyConformanceTest;

/** The Dependency conformance suite on a real three-master Redis Cluster. */
class RedisClusterDependencyConformanceTest extends DependencyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-dependency");
  }
}
