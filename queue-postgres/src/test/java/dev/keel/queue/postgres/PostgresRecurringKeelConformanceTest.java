package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.RecurringKeelConformanceTest;

/**
 * Recurring jobs as an application sees them (declare, pause, misfires, racing nodes) on
 * PostgreSQL.
 */
class PostgresRecurringKeelConformanceTest extends RecurringKeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresRecurringKeelConformanceTest.class);
  }
}
