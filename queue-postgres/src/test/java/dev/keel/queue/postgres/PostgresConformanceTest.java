package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.QueueBackendConformanceTest;

/** The backend contract, run against the real PostgreSQL in a schema of its own. */
class PostgresConformanceTest extends QueueBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresConformanceTest.class);
  }
}
