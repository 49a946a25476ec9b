package dev.keel.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault scenarios on Redis. The queue lives on a private {@code redis-server} of this class (each
 * scenario in a key namespace of its own); the ledger on the shared PostgreSQL.
 */
class RedisChaosTest extends ChaosScenarios {
  private static final LedgerDatabase LEDGER = LedgerDatabase.forClass(RedisChaosTest.class);
  private static ThrowawayRedisServer redis;

  @BeforeAll
  static void startServer() {
    // Persistent (append-only file, fsync always), so that a restart keeps the jobs, as a
    // production Redis configured for a job queue does.
    redis = new ThrowawayRedisServer(true);
  }

  @AfterAll
  static void stopServer() {
    if (redis != null) {
      redis.close();
    }
  }

  static String url(int port) {
    return "redis://127.0.0.1:" + port + "/0?cluster=false";
  }

  @Override
  Scenario.Target target(String scenario) {
    return new Scenario.Target("redis", url(redis.port()), "chaos-" + scenario);
  }

  @Override
  String prefix() {
    return "redis";
  }

  @Override
  LedgerDatabase ledger() {
    return LEDGER;
  }

  @Override
  int serverPort() {
    return redis.port();
  }

  @Override
  String urlVia(int port) {
    return url(port);
  }

  @Override
  java.util.Optional<String> maintenanceLockHolder(Scenario.Target t) {
    // The key Keel's lock_maintenance script sets (queue-redis KEYS.md): {namespace}:maintenance.
    try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis("127.0.0.1", redis.port())) {
      return java.util.Optional.ofNullable(j.get("{" + t.schema() + "}:maintenance"));
    }
  }

  /** Redis stopped and started again at once while the workers run. */
  @Test
  void serverFastRestartUnderLoad() {
    restartScenario("redis-restart-fast", "restartfast", java.time.Duration.ZERO);
  }

  /** Redis down for {@link ChaosSettings#outage()} while the workers run. */
  @Test
  void serverOutageUnderLoad() {
    restartScenario("redis-outage", "outage", ChaosSettings.outage());
  }

  private void restartScenario(String name, String schema, java.time.Duration down) {
    try (Scenario s = Scenario.of(name, target(schema), LEDGER, 3)) {
      s.enqueueBulk(ChaosSettings.jobs());
      s.startWorkers();
      s.startIdempotentLoad(20);
      for (int i = 0; i < ChaosSettings.rounds(); i++) {
        Scenario.sleep(ThreadLocalRandom.current().nextLong(800, 1500));
        s.recordServerFault(down.isZero() ? "RESTART" : "DOWN-" + down.toSeconds() + "s");
        redis.stop();
        Scenario.sleep(down.toMillis());
        redis.start();
      }
      s.stopIdempotentLoad();
      s.awaitQuiet();
      Verdict.of(s);
      assertThat(s.allProcesses).as("no worker died").allMatch(WorkerProcess::isAlive);
    }
  }
}
