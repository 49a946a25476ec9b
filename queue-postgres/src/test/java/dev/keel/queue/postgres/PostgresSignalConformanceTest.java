package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.SignalConformanceTest;

/** The Signal conformance suite on PostgreSQL. */
class PostgresSignalConformanceTest extends SignalConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresSignalConformanceTest.class);
  }
}
