package dev.keel.queue.postgres;

import dev.keel.queue.testkit.BackendFixture;
import dev.keel.queue.testkit.DependencyConformanceTest;

/** The Dependency conformance suite on PostgreSQL. */
class PostgresDependencyConformanceTest extends DependencyConformanceTest {
  @Override
  protected BackendFixture createFixture() {
    return new PostgresFixture(PostgresDependencyConformanceTest.class);
  }
}
