package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.BatchConformanceTest;

/** The Batch conformance suite on a standalone Redis. */
class RedisBatchConformanceTest extends BatchConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("batch");
  }
}
