package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SagaConformanceTest;

/** The Saga conformance suite on a standalone Redis. */
class RedisSagaConformanceTest extends SagaConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("saga");
  }
}
