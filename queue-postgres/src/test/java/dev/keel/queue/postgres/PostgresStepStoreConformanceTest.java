package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.StepStoreConformanceTest;

/** The StepStore conformance suite on PostgreSQL. */
class PostgresStepStoreConformanceTest extends StepStoreConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresStepStoreConformanceTest.class);
  }
}
