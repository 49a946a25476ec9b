package dev.keel.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;

/**
 * Measures the relay against the local PostgreSQL with an in-memory sink:
 *
 * <ol>
 *   <li>backlog throughput: N messages committed first, then relays drain them (messages/s from
 *       relay start to the last sink call);
 *   <li>live latency: one writer commits messages one per transaction at a fixed rate while a relay
 *       runs (LISTEN/NOTIFY on); commit-to-sink latency p50/p99/max.
 * </ol>
 *
 * <p>Run: {@code mvn -q -o -pl outbox exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.keel.outbox.OutboxBench}
 */
public final class OutboxBench {
  private OutboxBench() {}

  public static void main(String[] args) throws Exception {
    int backlog = Integer.getInteger("bench.backlog", 20_000);
    int keys = Integer.getInteger("bench.keys", 1_000);
    int live = Integer.getInteger("bench.live", 3_000);
    int rate = Integer.getInteger("bench.rate", 500);
    try (OutboxTestDatabase db = OutboxTestDatabase.forClass(OutboxBench.class)) {
      Jdbi jdbi = db.jdbi();
      for (int relays : new int[] {1, 2}) {
        throughput(db, jdbi, backlog, keys, relays, 100);
      }
      throughput(db, jdbi, backlog / 4, 1, 1, 100);
      latency(db, jdbi, live, rate, keys);
    }
    System.exit(0);
  }

  private static void recordBacklog(OutboxTestDatabase db, Jdbi jdbi, int n, int keys) {
    Outbox outbox = db.outbox();
    for (int start = 0; start < n; start += 100) {
      int from = start;
      jdbi.useTransaction(
          h -> {
            for (int i = from; i < Math.min(n, from + 100); i++) {
              outbox.record(
                  h, OutboxMessage.of("bench.event", "k" + (i % keys), "{\"i\":" + i + "}"));
            }
          });
    }
  }

  private static void throughput(
      OutboxTestDatabase db, Jdbi jdbi, int n, int keys, int relayCount, int batch)
      throws InterruptedException {
    db.execute("TRUNCATE \"" + db.schema() + "\".outbox_messages");
    long w0 = System.nanoTime();
    recordBacklog(db, jdbi, n, keys);
    double writeSecs = (System.nanoTime() - w0) / 1e9;
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger seen = new AtomicInteger();
    OutboxSink sink =
        m -> {
          seen.incrementAndGet();
          done.countDown();
          return SinkReceipt.ok();
        };
    List<OutboxRelay> relays = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int r = 0; r < relayCount; r++) {
      relays.add(
          db.outbox()
              .relay(sink)
              .batchSize(batch)
              .pollInterval(Duration.ofMillis(100))
              .build()
              .start());
    }
    boolean finished = done.await(300, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t0) / 1e9;
    relays.forEach(OutboxRelay::close);
    System.out.printf(
        "backlog: %,d messages over %,d keys, %d relay(s), batch %d: %s in %.2f s = %,.0f msg/s"
            + " (recording: %,.0f msg/s in tx of 100)%n",
        n,
        keys,
        relayCount,
        batch,
        finished ? "all delivered" : "INCOMPLETE " + seen.get(),
        secs,
        seen.get() / secs,
        n / writeSecs);
  }

  private static void latency(OutboxTestDatabase db, Jdbi jdbi, int n, int rate, int keys)
      throws InterruptedException {
    db.execute("TRUNCATE \"" + db.schema() + "\".outbox_messages");
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    long[] latencies = new long[n];
    AtomicInteger count = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    OutboxSink sink =
        m -> {
          long now = System.nanoTime();
          Long c = committedAt.get(m.id());
          // The commit time is stored right after commit returns; a relay this fast can see the
          // message first, so wait for the writer's bookkeeping.
          while (c == null) {
            Thread.onSpinWait();
            c = committedAt.get(m.id());
          }
          latencies[count.getAndIncrement()] = Math.max(0, now - c);
          done.countDown();
          return SinkReceipt.ok();
        };
    Outbox outbox = db.outbox();
    try (OutboxRelay relay =
        outbox.relay(sink).pollInterval(Duration.ofSeconds(1)).build().start()) {
      // Let the LISTEN connection come up before measuring.
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      long interval = 1_000_000_000L / rate;
      long next = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int k = i;
        UUID[] id = new UUID[1];
        jdbi.useTransaction(
            h -> id[0] = outbox.record(h, OutboxMessage.of("bench.live", "k" + (k % keys), "{}")));
        committedAt.put(id[0], System.nanoTime());
        next += interval;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      done.await(60, TimeUnit.SECONDS);
    }
    long[] sorted = Arrays.copyOf(latencies, count.get());
    Arrays.sort(sorted);
    System.out.printf(
        "live: %,d messages, one per transaction at %d/s, 1 relay (LISTEN on, poll 1 s):"
            + " commit-to-sink p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        sorted.length,
        rate,
        pct(sorted, 0.50) / 1e6,
        pct(sorted, 0.99) / 1e6,
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
