package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.BatchConformanceTest;

/** The Batch conformance suite on PostgreSQL. */
class PostgresBatchConformanceTest extends BatchConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresBatchConformanceTest.class);
  }
}
