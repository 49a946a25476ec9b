package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.KeelConformanceTest;

/** The application-level contract (client, drain, worker, health) on PostgreSQL. */
class PostgresKeelConformanceTest extends KeelConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresKeelConformanceTest.class);
  }
}
