package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepChildrenConformanceTest;

/** The children-step conformance suite on PostgreSQL. */
class PostgresStepChildrenConformanceTest extends StepChildrenConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresStepChildrenConformanceTest.class);
  }
}
