package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.LockConformanceTest;

/** The Lock conformance suite on a standalone Redis. */
class RedisLockConformanceTest extends LockConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("lock");
  }
}
