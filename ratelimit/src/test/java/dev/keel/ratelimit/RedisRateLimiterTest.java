package dev.keel.ratelimit;

import static dev.keel.ratelimit.LocalRateLimiterTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** Against a real Redis, timed by its clock: bounds use Redis TIME read by the test. */
class RedisRateLimiterTest {
  private static final String PREFIX = RedisTestServers.uniquePrefix(RedisRateLimiterTest.class);
  private static RedisClient jedis;

  @BeforeAll
  static void connect() {
    jedis = RedisTestServers.connect();
  }

  @AfterAll
  static void cleanUp() {
    RedisTestServers.deleteKeys(jedis, PREFIX);
    jedis.close();
  }

  private static RedisRateLimiter limiter(Limit limit) {
    return RedisRateLimiter.builder(jedis, limit).keyPrefix(PREFIX).build();
  }

  @Test
  void aNewKeyHasAFullBucketThenDeniesWithTheWaitForOneToken() {
    RedisRateLimiter limiter = limiter(Limit.perHour(5));
    long before = RedisTestServers.redisMicros(jedis);

    for (int left = 4; left >= 0; left--) {
      assertThat(limiter.tryAcquire("fresh", 1)).isEqualTo(Decision.allow(left));
    }
    Decision denied = limiter.tryAcquire("fresh", 1);
    long after = RedisTestServers.redisMicros(jedis);

    assertThat(denied.allowed()).isFalse();
    assertThat(denied.remaining()).isZero();
    // one token takes 720 s; the bucket emptied somewhere in [before, after]
    Duration oneToken = Duration.ofSeconds(720);
    assertThat(denied.waitTime())
        .isLessThanOrEqualTo(oneToken)
        .isGreaterThanOrEqualTo(oneToken.minusNanos((after - before) * 1_000));
    assertThat(RetryAfter.seconds(denied)).isBetween(1L, 720L);
  }

  @Test
  void bucketsAreHashTaggedHashesThatExpireWhenFull() {
    RedisRateLimiter limiter = limiter(Limit.perMinute(60));
    limiter.tryAcquire("tagged", 3);
    String key = "{" + PREFIX + "}:rl:tagged";

    assertThat(limiter.redisKey("tagged")).isEqualTo(key);
    assertThat(jedis.type(key)).isEqualTo("hash");
    Map<String, String> fields = jedis.hgetAll(key);
    assertThat(fields).containsOnlyKeys("level", "last");
    assertThat(fields.get("level")).matches("[0-9]+");
    // 3 tokens missing at one per second: full again within 3 s
    assertThat(jedis.pttl(key)).isBetween(1L, 3_000L);
  }

  @Test
  void keysHaveSeparateBuckets() {
    RedisRateLimiter limiter = limiter(Limit.perHour(1));

    assertThat(limiter.tryAcquire("sep-a", 1).allowed()).isTrue();
    assertThat(limiter.tryAcquire("sep-b", 1).allowed()).isTrue();
    assertThat(limiter.tryAcquire("sep-a", 1).allowed()).isFalse();
  }

  @Test
  void limitersWithTheSamePrefixShareBuckets() {
    RedisRateLimiter one = limiter(Limit.perHour(2));
    RedisRateLimiter two = limiter(Limit.perHour(2));

    assertThat(one.tryAcquire("shared", 1).allowed()).isTrue();
    assertThat(two.tryAcquire("shared", 1).allowed()).isTrue();
    assertThat(one.tryAcquire("shared", 1).allowed()).isFalse();
  }

  @Test
  void invalidInputIsRejectedBeforeRedisAndConsumesNothing() {
    RedisRateLimiter limiter = limiter(Limit.perHour(3));

    assertRejected(() -> limiter.tryAcquire(null, 1), "key");
    assertRejected(() -> limiter.tryAcquire("", 1), "key");
    assertRejected(() -> limiter.tryAcquire("k".repeat(257), 1), "key");
    assertRejected(() -> limiter.tryAcquire("invalid", 0), "permits");
    assertRejected(() -> limiter.tryAcquire("invalid", 4), "permits");
    assertThat(limiter.tryAcquire("invalid", 3)).isEqualTo(Decision.allow(0));
  }

  @Test
  void builderRejectsBadPrefixes() {
    assertRejected(
        () -> RedisRateLimiter.builder(jedis, Limit.perHour(1)).keyPrefix("a{b"), "keyPrefix");
    assertRejected(
        () -> RedisRateLimiter.builder(jedis, Limit.perHour(1)).keyPrefix(" "), "keyPrefix");
    assertRejected(() -> RedisRateLimiter.builder(null, Limit.perHour(1)), "jedis");
    assertRejected(
        () -> RedisRateLimiter.builder(jedis, Limit.perHour(1)).keyPrefix("a").keyPrefix("b"),
        "keyPrefix");
  }

  @Test
  void manyThreadsOnOneKeyNeverGetMoreThanTheBound() throws Exception {
    Limit limit = Limit.of(100, Duration.ofHours(1));
    RedisRateLimiter limiter = limiter(limit);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier start = new CyclicBarrier(threads);
    long before = RedisTestServers.redisMicros(jedis);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  long granted = 0;
                  for (int i = 0; i < 40; i++) {
                    if (limiter.tryAcquire("contended", 1).allowed()) {
                      granted++;
                    }
                  }
                  return granted;
                }));
      }
      long granted = 0;
      for (Future<Long> result : results) {
        granted += result.get(60, TimeUnit.SECONDS);
      }
      long elapsed = RedisTestServers.redisMicros(jedis) - before;

      assertThat(granted).isLessThanOrEqualTo(100 + elapsed * 100 / 3_600_000_000L);
      assertThat(granted).isGreaterThanOrEqualTo(100);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Random limits and schedules. Each call is bracketed by TIME readings, so the script ran within
   * [before, after]; the bound over every run of grants uses the widest such interval. After a
   * denial the test sometimes waits out exactly the announced wait (on the Redis clock) and repeats
   * the request, which must then be granted.
   */
  @Test
  void randomSchedulesNeverExceedCapacityPlusRateTimesInterval() {
    Random random = new Random(20240611L);
    for (int schedule = 0; schedule < 20; schedule++) {
      Limit limit =
          new Limit(
              1 + random.nextInt(8),
              1 + random.nextInt(5),
              Duration.ofMillis(5 + random.nextInt(30)));
      RedisRateLimiter limiter = limiter(limit);
      String key = "random-" + schedule;
      List<GrantBound.Grant> grants = new ArrayList<>();
      for (int call = 0; call < 30; call++) {
        if (random.nextInt(4) == 0) {
          waitOnRedisClock((long) (random.nextDouble() * limit.refillPeriodMicros()));
        }
        int permits = 1 + random.nextInt((int) limit.capacity());
        long before = RedisTestServers.redisMicros(jedis);
        Decision decision = limiter.tryAcquire(key, permits);
        long after = RedisTestServers.redisMicros(jedis);
        if (decision.allowed()) {
          grants.add(new GrantBound.Grant(before, after, permits));
          continue;
        }
        long maxWait =
            (permits * limit.refillPeriodMicros() + limit.refillTokens() - 1)
                / limit.refillTokens();
        assertThat(decision.waitTime())
            .isPositive()
            .isLessThanOrEqualTo(Duration.ofNanos(maxWait * 1_000));
        if (random.nextBoolean()) {
          waitOnRedisClock(after - before + decision.waitTime().toNanos() / 1_000);
          long retryBefore = RedisTestServers.redisMicros(jedis);
          Decision retry = limiter.tryAcquire(key, permits);
          assertThat(retry.allowed())
              .as(
                  "schedule %d call %d: retry after the announced wait %s",
                  schedule, call, decision)
              .isTrue();
          grants.add(
              new GrantBound.Grant(retryBefore, RedisTestServers.redisMicros(jedis), permits));
        }
      }
      GrantBound.check(limit, grants, "redis schedule " + schedule);
    }
  }

  /** Waits until the Redis clock has moved by {@code micros}. */
  private static void waitOnRedisClock(long micros) {
    long until = RedisTestServers.redisMicros(jedis) + micros;
    await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .atMost(Duration.ofSeconds(10))
        .until(() -> RedisTestServers.redisMicros(jedis) >= until);
  }
}
