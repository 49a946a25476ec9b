package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringKeelConformanceTest;

/** Recurring jobs through Keel on a standalone Redis. */
class RedisRecurringKeelConformanceTest extends RecurringKeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("recurring-keel");
  }
}
