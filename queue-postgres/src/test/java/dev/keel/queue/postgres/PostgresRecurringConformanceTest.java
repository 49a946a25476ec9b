package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringBackendConformanceTest;

/** The recurring-schedule SPI contract on the real PostgreSQL, in a schema of its own. */
class PostgresRecurringConformanceTest extends RecurringBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresRecurringConformanceTest.class);
  }
}
