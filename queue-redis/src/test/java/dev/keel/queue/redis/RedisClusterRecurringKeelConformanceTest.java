package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringKeelConformanceTest;

/** Recurring jobs through Keel on a real three-master Redis Cluster. */
class RedisClusterRecurringKeelConformanceTest extends RecurringKeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.cluster("cluster-recurring-keel");
  }
}
