package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepConformanceTest;

/** The Step conformance suite on PostgreSQL. */
class PostgresStepConformanceTest extends StepConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresStepConformanceTest.class);
  }
}
