package dev.keel.ops;

import dev.keel.queue.spi.QueueBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Alerts on Postgres; the "second node" is a second backend object on the same data. */
class PostgresAlertLifecycleTest extends AlertLifecycleContract {
  private static TestBackends backends;

  @BeforeAll
  static void connect() {
    backends = TestBackends.postgres(PostgresAlertLifecycleTest.class);
  }

  @AfterAll
  static void drop() {
    backends.close();
  }

  @Override
  QueueBackend openBackend() {
    return backends.get();
  }

  @Override
  QueueBackend openSharing() {
    return backends.sameAsLast();
  }
}
