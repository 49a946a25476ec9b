package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ConcurrencyKeyConformanceTest;

/** The ConcurrencyKey conformance suite on a standalone Redis. */
class RedisConcurrencyKeyConformanceTest extends ConcurrencyKeyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("concurrencykey");
  }
}
