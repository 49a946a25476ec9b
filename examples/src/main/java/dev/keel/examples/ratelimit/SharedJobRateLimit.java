package dev.keel.examples.ratelimit;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.redis.RedisBackend;
import dev.keel.ratelimit.FallbackPolicy;
import dev.keel.ratelimit.FallbackRateLimiter;
import dev.keel.ratelimit.JobTypeLimits;
import dev.keel.ratelimit.Limit;
import dev.keel.ratelimit.RateLimiter;
import dev.keel.ratelimit.RedisRateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One job type limited to N per second across two workers (two "nodes" sharing Redis): each node
 * has its own Keel and worker, but both take permits from one Redis token bucket, so together they
 * never send more than the limit. Jobs over the limit wait in PENDING, using no attempt.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.keel.examples.ratelimit.SharedJobRateLimit} with Redis at {@code
 * KEEL_REDIS_URL} (default {@code redis://127.0.0.1:6379}).
 */
public final class SharedJobRateLimit {
  private SharedJobRateLimit() {}

  /** Start times (System.nanoTime) of every handler run, in order. */
  public static List<Long> run(String redisUrl, int jobs, int perSecond)
      throws InterruptedException {
    String namespace = "example-ratelimit-" + UUID.randomUUID().toString().substring(0, 8);
    List<Long> starts = new CopyOnWriteArrayList<>();
    List<Keel> nodes = new ArrayList<>();
    List<Worker> workers = new ArrayList<>();
    try (RedisClient jedis = RedisClient.create(java.net.URI.create(redisUrl))) {
      for (int node = 0; node < 2; node++) {
        RateLimiter shared =
            FallbackRateLimiter.builder(
                    RedisRateLimiter.builder(jedis, Limit.perSecond(perSecond))
                        .keyPrefix(namespace)
                        .build())
                .policy(FallbackPolicy.LOCAL_SHARE)
                .expectedNodes(2)
                .build();
        Keel keel =
            Keel.builder()
                .backend(RedisBackend.builder().url(redisUrl).namespace(namespace).build())
                .register("sms.send", Map.class, JobHandler.of(m -> starts.add(System.nanoTime())))
                .throttle(JobTypeLimits.builder().limit("sms.send", shared).build())
                .build();
        nodes.add(keel);
        workers.add(
            keel.worker().queue("default", 4).pollInterval(Duration.ofMillis(50)).build().start());
      }
      List<JobRequest<Map<String, Integer>>> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(JobRequest.of("sms.send", Map.of("n", i)));
      }
      nodes.get(0).client().enqueueAll(batch);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (starts.size() < jobs && System.nanoTime() < deadline) {
        Thread.sleep(50); // the example polls its own counter; nothing else to wait on
      }
      workers.forEach(Worker::close);
      workers.clear();
      deleteNamespace(jedis, namespace);
    } finally {
      workers.forEach(Worker::close);
      nodes.forEach(Keel::close);
    }
    return starts;
  }

  /** The example leaves nothing behind in Redis: every key of its namespace shares its hash tag. */
  private static void deleteNamespace(RedisClient jedis, String namespace) {
    String cursor = ScanParams.SCAN_POINTER_START;
    ScanParams match = new ScanParams().match("{" + namespace + "}*").count(500);
    do {
      ScanResult<String> page = jedis.scan(cursor, match);
      if (!page.getResult().isEmpty()) {
        jedis.del(page.getResult().toArray(String[]::new));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }

  public static void main(String[] args) throws InterruptedException {
    String url = System.getenv().getOrDefault("KEEL_REDIS_URL", "redis://127.0.0.1:6379");
    int perSecond = 5;
    List<Long> starts = run(url, 30, perSecond);
    long t0 = starts.get(0);
    int[] perSecondCounts =
        new int[(int) ((starts.get(starts.size() - 1) - t0) / 1_000_000_000L) + 1];
    for (long s : starts) {
      perSecondCounts[(int) ((s - t0) / 1_000_000_000L)]++;
    }
    System.out.printf("30 sms.send jobs, limit %d/s shared by two workers:%n", perSecond);
    for (int i = 0; i < perSecondCounts.length; i++) {
      System.out.printf("  second %d: %d sent%n", i, perSecondCounts[i]);
    }
  }
}
