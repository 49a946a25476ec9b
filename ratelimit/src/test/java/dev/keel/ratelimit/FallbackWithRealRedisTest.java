package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.event.Level;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The fallback against real failures: a private redis-server that is killed and started again on
 * the same port, a port where nothing listens, and a server that accepts connections but never
 * answers. The circuit runs on a manual clock; Redis on its own.
 */
class FallbackWithRealRedisTest {
  private static final Duration COOL_DOWN = Duration.ofSeconds(5);
  private static final String PREFIX =
      RedisTestServers.uniquePrefix(FallbackWithRealRedisTest.class);
  private static final JedisClientConfig SHORT_TIMEOUTS =
      DefaultJedisClientConfig.builder()
          .connectionTimeoutMillis(200)
          .socketTimeoutMillis(200)
          .build();
  private static ThrowawayRedisServer server;

  private final ManualClock clock = new ManualClock();
  private final RecordingLogger log = new RecordingLogger();

  @BeforeAll
  static void startServer() {
    server = new ThrowawayRedisServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private FallbackRateLimiter fallback(SwitchablePrimary primary, FallbackPolicy policy) {
    FallbackRateLimiter.Builder builder =
        FallbackRateLimiter.builder(primary)
            .policy(policy)
            .coolDown(COOL_DOWN)
            .clock(clock)
            .sleeper(clock.sleeper())
            .logger(log);
    if (policy == FallbackPolicy.LOCAL_SHARE) {
      builder.expectedNodes(2);
    }
    return builder.build();
  }

  @ParameterizedTest
  @EnumSource(FallbackPolicy.class)
  void redisStoppedAndStartedAgain(FallbackPolicy policy) {
    try (RedisClient jedis =
        RedisClient.builder()
            .hostAndPort(new HostAndPort("127.0.0.1", server.port()))
            .clientConfig(SHORT_TIMEOUTS)
            .build()) {
      RedisRateLimiter redis =
          RedisRateLimiter.builder(jedis, Limit.perHour(4)).keyPrefix(PREFIX + policy).build();
      SwitchablePrimary primary = new SwitchablePrimary(redis);
      FallbackRateLimiter limiter = fallback(primary, policy);
      assertThat(limiter.tryAcquire("k", 3)).isEqualTo(Decision.allow(1));

      server.stop();
      Decision duringOutage = limiter.tryAcquire("k", 1);
      List<Decision> more =
          List.of(
              limiter.tryAcquire("k", 1), limiter.tryAcquire("k", 1), limiter.tryAcquire("k", 1));

      assertThat(limiter.isFallingBack()).isTrue();
      assertThat(primary.calls).hasValue(2); // the grant above, then only the first failure
      assertThat(log.at(Level.WARN)).hasSize(1);
      assertThat(log.at(Level.WARN).get(0).throwable())
          .isInstanceOf(RateLimiterUnavailableException.class)
          .hasCauseInstanceOf(JedisConnectionException.class);
      switch (policy) {
        case FAIL_OPEN -> {
          assertThat(duringOutage).isEqualTo(Decision.allow(3));
          assertThat(more).allMatch(Decision::allowed);
        }
        case FAIL_CLOSED -> {
          assertThat(duringOutage).isEqualTo(Decision.deny(0, COOL_DOWN));
          assertThat(more).noneMatch(Decision::allowed);
        }
        case LOCAL_SHARE -> {
          // perHour(4) among 2 nodes: a local bucket of 2
          assertThat(duringOutage).isEqualTo(Decision.allow(1));
          assertThat(more.get(0)).isEqualTo(Decision.allow(0));
          assertThat(more.get(1).allowed()).isFalse();
        }
      }

      // after the cool-down, one probe; Redis still down: stays on the fallback, no new WARN
      clock.advance(COOL_DOWN);
      limiter.tryAcquire("k", 1);
      limiter.tryAcquire("k", 1);
      assertThat(primary.calls).hasValue(3);
      assertThat(log.at(Level.WARN)).hasSize(1);

      server.start();
      limiter.tryAcquire("k", 1);
      assertThat(primary.calls).as("no probe before the cool-down ends").hasValue(3);
      clock.advance(COOL_DOWN);

      // the restarted server lost its data and its script cache (NOSCRIPT, then EVAL)
      assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(3));
      assertThat(limiter.isFallingBack()).isFalse();
      assertThat(limiter.tryAcquire("k", 3)).isEqualTo(Decision.allow(0));
      assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
      assertThat(log.at(Level.INFO)).hasSize(1);
      assertThat(log.at(Level.WARN)).hasSize(1);
    }
  }

  @Test
  void scriptCacheFlushIsReloadedTransparently() {
    try (RedisClient jedis =
        RedisClient.builder()
            .hostAndPort(new HostAndPort("127.0.0.1", server.port()))
            .clientConfig(SHORT_TIMEOUTS)
            .build()) {
      RedisRateLimiter redis =
          RedisRateLimiter.builder(jedis, Limit.perHour(3)).keyPrefix(PREFIX + "flush").build();
      assertThat(redis.tryAcquire("k", 1)).isEqualTo(Decision.allow(2));
      jedis.scriptFlush();

      assertThat(redis.tryAcquire("k", 1)).isEqualTo(Decision.allow(1));
      assertThat(redis.tryAcquire("k", 1)).isEqualTo(Decision.allow(0));
    }
  }

  @Test
  void anUnreachablePortFailsFastAndIsNotRetriedDuringTheCoolDown() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (RedisClient jedis =
        RedisClient.builder()
            .hostAndPort(new HostAndPort("127.0.0.1", port))
            .clientConfig(SHORT_TIMEOUTS)
            .build()) {
      SwitchablePrimary primary =
          new SwitchablePrimary(
              RedisRateLimiter.builder(jedis, Limit.perSecond(10)).keyPrefix(PREFIX).build());
      FallbackRateLimiter limiter = fallback(primary, FallbackPolicy.FAIL_OPEN);

      long start = System.nanoTime();
      for (int i = 0; i < 1_000; i++) {
        assertThat(limiter.tryAcquire("k", 1).allowed()).isTrue();
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(primary.calls).hasValue(1);
      assertThat(elapsedMillis).as("1000 decisions with Redis unreachable").isLessThan(2_000);
      assertThat(log.at(Level.WARN)).hasSize(1);
    }
  }

  @Test
  void aServerThatNeverAnswersCostsOneSocketTimeoutPerCoolDown() throws IOException {
    // A listening socket that is never read: connections are accepted by the kernel, replies never
    // come, so the client hits its 200 ms socket timeout.
    try (ServerSocket silent = new ServerSocket(0);
        RedisClient jedis =
            RedisClient.builder()
                .hostAndPort(new HostAndPort("127.0.0.1", silent.getLocalPort()))
                .clientConfig(SHORT_TIMEOUTS)
                .build()) {
      SwitchablePrimary primary =
          new SwitchablePrimary(
              RedisRateLimiter.builder(jedis, Limit.perSecond(10)).keyPrefix(PREFIX).build());
      FallbackRateLimiter limiter = fallback(primary, FallbackPolicy.FAIL_CLOSED);

      long start = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
      }
      clock.advance(COOL_DOWN);
      for (int i = 0; i < 200; i++) {
        assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(primary.calls).hasValue(2);
      assertThat(elapsedMillis).as("400 decisions, two of them timing out").isLessThan(3_000);
      assertThat(log.at(Level.WARN)).hasSize(1);
    }
  }
}
