package dev.keel.ops;

import dev.keel.queue.spi.QueueBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The console's API on PostgreSQL, in a schema of this class alone. */
class PostgresOpsApiTest extends OpsApiContract {
  private static TestBackends backends;

  @BeforeAll
  static void connect() {
    backends = TestBackends.postgres(PostgresOpsApiTest.class);
  }

  @AfterAll
  static void drop() {
    backends.close();
  }

  @Override
  QueueBackend openBackend() {
    return backends.get();
  }
}
