package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SignalConformanceTest;

/** The Signal conformance suite on a real three-master Redis Cluster. */
class RedisClusterSignalConformanceTest extends SignalConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-signal");
  }
}
