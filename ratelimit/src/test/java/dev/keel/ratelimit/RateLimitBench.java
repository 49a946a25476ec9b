package dev.keel.ratelimit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Rate-limit decisions per second, local and Redis, with 1 and 8 threads, over 1,000 keys and over
 * one hot key. Prints one grep-able line per run:
 *
 * <pre>RATELIMIT impl=local threads=1 keys=1000 decisions_per_s=... allowed_pct=...</pre>
 *
 * <p>Usage: {@code bench/ratelimit [--seconds=3] [--impls=local,redis]}. Redis is found as the
 * tests find it: {@code KEEL_TEST_REDIS_URL}, else 127.0.0.1:6379. The limit (10,000/s per key,
 * burst 1,000) makes a share of the hot-key decisions denials, which cost the same as grants.
 */
public final class RateLimitBench {
  private static final Limit LIMIT = Limit.perSecond(10_000).withBurst(1_000);
  private static final int[] THREADS = {1, 8};
  private static final int[] KEYS = {1_000, 1};

  private RateLimitBench() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    int seconds = 3;
    List<String> impls = List.of("local", "redis");
    for (String arg : args) {
      if (arg.startsWith("--seconds=")) {
        seconds = Integer.parseInt(arg.substring(10));
      } else if (arg.startsWith("--impls=")) {
        impls = List.of(arg.substring(8).split(","));
      } else {
        throw new IllegalArgumentException(
            "usage: bench/ratelimit [--seconds=3] [--impls=local,redis]");
      }
    }
    for (String impl : impls) {
      switch (impl) {
        case "local" -> runLocal(seconds);
        case "redis" -> runRedis(seconds);
        default -> throw new IllegalArgumentException("unknown impl " + impl + " (local, redis)");
      }
    }
  }

  private static void runLocal(int seconds) throws Exception {
    for (int keys : KEYS) {
      for (int threads : THREADS) {
        RateLimiter limiter = LocalRateLimiter.builder(LIMIT).build();
        measure("local", limiter, threads, keys, seconds);
      }
    }
  }

  private static void runRedis(int seconds) throws Exception {
    String url = System.getenv("KEEL_TEST_REDIS_URL");
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(16);
    pool.setMaxIdle(16);
    String prefix = "keel-bench-" + UUID.randomUUID().toString().substring(0, 8);
    HostAndPort address = new HostAndPort("127.0.0.1", 6379);
    if (url != null && !url.isBlank()) {
      URI uri = URI.create(url);
      address = new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
    }
    try (RedisClient jedis =
        RedisClient.builder()
            .hostAndPort(address)
            .poolConfig(pool)
            .clientConfig(
                DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(500)
                    .socketTimeoutMillis(500)
                    .build())
            .build()) {
      try {
        for (int keys : KEYS) {
          for (int threads : THREADS) {
            RateLimiter limiter =
                RedisRateLimiter.builder(jedis, LIMIT)
                    .keyPrefix(prefix + "-" + keys + "-" + threads)
                    .build();
            measure("redis", limiter, threads, keys, seconds);
          }
        }
      } finally {
        deleteKeys(jedis, prefix);
      }
    }
  }

  private static void measure(String impl, RateLimiter limiter, int threads, int keys, int seconds)
      throws Exception {
    // warm up (JIT, connections), then measure
    run(limiter, threads, keys, Duration.ofSeconds(1));
    long[] counts = run(limiter, threads, keys, Duration.ofSeconds(seconds));
    double perSecond = counts[0] / (counts[2] / 1e9);
    System.out.printf(
        "RATELIMIT impl=%s threads=%d keys=%d decisions_per_s=%.0f allowed_pct=%.1f%n",
        impl, threads, keys, perSecond, 100.0 * counts[1] / Math.max(1, counts[0]));
  }

  /** Returns {decisions, allowed, elapsed nanos}; every thread runs until the same deadline. */
  private static long[] run(RateLimiter limiter, int threads, int keys, Duration duration)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    AtomicLong deadline = new AtomicLong();
    String[] names = new String[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "key-" + i;
    }
    try {
      List<Future<long[]>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * 7919;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  long end = deadline.get();
                  long decisions = 0;
                  long allowed = 0;
                  // check the time every 64 decisions: nanoTime is cheap but not free
                  while ((decisions & 63) != 0 || System.nanoTime() < end) {
                    String key = names[(int) ((decisions + offset) % keys)];
                    if (limiter.tryAcquire(key, 1).allowed()) {
                      allowed++;
                    }
                    decisions++;
                  }
                  return new long[] {decisions, allowed};
                }));
      }
      long begin = System.nanoTime();
      deadline.set(begin + duration.toNanos());
      start.await();
      long decisions = 0;
      long allowed = 0;
      for (Future<long[]> result : results) {
        long[] r = result.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        decisions += r[0];
        allowed += r[1];
      }
      return new long[] {decisions, allowed, System.nanoTime() - begin};
    } finally {
      pool.shutdownNow();
    }
  }

  private static void deleteKeys(RedisClient jedis, String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    ScanParams match = new ScanParams().match("{" + prefix + "*").count(1_000);
    do {
      ScanResult<String> page = jedis.scan(cursor, match);
      if (!page.getResult().isEmpty()) {
        jedis.del(page.getResult().toArray(String[]::new));
      }
      cursor = page.getCursor();
    } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
  }
}
