package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.LockConformanceTest;

/** The Lock conformance suite on PostgreSQL. */
class PostgresLockConformanceTest extends LockConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresLockConformanceTest.class);
  }
}
