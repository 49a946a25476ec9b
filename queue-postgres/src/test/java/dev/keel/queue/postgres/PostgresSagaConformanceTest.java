package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SagaConformanceTest;

/** The Saga conformance suite on PostgreSQL. */
class PostgresSagaConformanceTest extends SagaConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresSagaConformanceTest.class);
  }
}
