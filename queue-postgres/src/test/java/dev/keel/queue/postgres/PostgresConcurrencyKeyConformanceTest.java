package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.ConcurrencyKeyConformanceTest;

/** The ConcurrencyKey conformance suite on PostgreSQL. */
class PostgresConcurrencyKeyConformanceTest extends ConcurrencyKeyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresConcurrencyKeyConformanceTest.class);
  }
}
