package dev.keel.queue.redis;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepStoreConformanceTest;

/** The StepStore conformance suite on a standalone Redis. */
class RedisStepStoreConformanceTest extends StepStoreConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return RedisFixture.standalone("stepstore");
  }
}
