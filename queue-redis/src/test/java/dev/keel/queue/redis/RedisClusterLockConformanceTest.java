package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.LockConformanceTest;

/** The Lock conformance suite on a real three-master Redis Cluster. */
class RedisClusterLockConformanceTest extends LockConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-lock");
  }
}
