package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.BatchConformanceTest;

/** The Batch conformance suite on a real three-master Redis Cluster. */
class RedisClusterBatchConformanceTest extends BatchConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-batch");
  }
}
