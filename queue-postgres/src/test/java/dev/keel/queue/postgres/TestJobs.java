package dev.keel.queue.postgres;

import dev.keel.queue.IdempotencyPolicy;
import dev.keel.queue.spi.NewJob;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Builds {@link NewJob}s for tests with time-ordered ids. */
final class TestJobs {
  private static final AtomicLong LAST = new AtomicLong();

  private TestJobs() {}

  /** A version-7 style id, strictly increasing within this JVM. */
  static UUID nextId() {
    long tick =
        LAST.updateAndGet(prev -> Math.max(prev + 1, InstantSource.system().millis() << 12));
    long millis = tick >>> 12;
    long seq = tick & 0xFFF;
    long msb = (millis << 16) | (0x7L << 12) | seq;
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  static NewJob job(String type) {
    return job(type, "default", "{\"n\":1}", null);
  }

  static NewJob job(String type, String queue, String payload, String key) {
    return job(
        type, queue, "default", payload, 0, key, IdempotencyPolicy.whileActive(), Duration.ZERO);
  }

  static NewJob job(
      String type,
      String queue,
      String tenant,
      String payload,
      int priority,
      String key,
      IdempotencyPolicy policy,
      Duration delay) {
    return new NewJob(
        nextId(), type, queue, tenant, payload, priority, 3, null, delay, null, key, policy, null,
        Map.of());
  }
}
