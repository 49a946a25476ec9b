package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepConformanceTest;

/** The Step conformance suite on a standalone Redis. */
class RedisStepConformanceTest extends StepConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("step");
  }
}
