package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.DependencyConformanceTest;

/** The Dependency conformance suite on a standalone Redis. */
class RedisDependencyConformanceTest extends DependencyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("dependency");
  }
}
