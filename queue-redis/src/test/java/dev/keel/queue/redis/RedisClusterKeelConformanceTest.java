package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.KeelConformanceTest;

/**
 * The application-level contract (client, drain, worker, health) on a real three-master Redis
 * Cluster.
 */
class RedisClusterKeelConformanceTest extends KeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-keel-conformance");
  }
}
