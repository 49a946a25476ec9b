package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.OpsDataBackendConformanceTest;

/** The operations-data SPI contract on the real PostgreSQL, in a schema of its own. */
class PostgresOpsDataConformanceTest extends OpsDataBackendConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresOpsDataConformanceTest.class);
  }
}
