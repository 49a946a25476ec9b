package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.QueueBackendConformanceTest;

/** The backend contract against a standalone Redis. */
class RedisConformanceTest extends QueueBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("conformance");
  }
}
