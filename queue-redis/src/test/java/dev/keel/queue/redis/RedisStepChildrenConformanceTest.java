package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepChildrenConformanceTest;

/** The children-step conformance suite on a standalone Redis. */
class RedisStepChildrenConformanceTest extends StepChildrenConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("step");
  }
}
