package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.KeelConformanceTest;

/** The application-level contract (client, drain, worker, health) on a standalone Redis. */
class RedisKeelConformanceTest extends KeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("keel-conformance");
  }
}
