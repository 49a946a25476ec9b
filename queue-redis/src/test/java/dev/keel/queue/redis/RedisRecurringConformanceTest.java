package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringBackendConformanceTest;

/** The recurring-schedule SPI contract against a standalone Redis. */
class RedisRecurringConformanceTest extends RecurringBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("recurring");
  }
}
