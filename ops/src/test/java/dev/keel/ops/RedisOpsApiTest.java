package dev.keel.ops;

import dev.keel.queue.spi.QueueBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The console's API on Redis, in a key namespace of this class alone. */
class RedisOpsApiTest extends OpsApiContract {
  private static TestBackends backends;

  @BeforeAll
  static void connect() {
    backends = TestBackends.redis(RedisOpsApiTest.class);
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
