package dev.keel.ops;

import dev.keel.queue.JobEvent;
import dev.keel.queue.JobListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handler run times of the last {@value #WINDOW} successful runs of each job type in this process,
 * for the overview's p50/p95/p99. Listens on the {@code Keel} the console is built on.
 */
final class TypeDurations implements JobListener {
  static final int WINDOW = 1_000;
  static final int MAX_TYPES = 1_000;

  record Summary(long count, long p50Ms, long p95Ms, long p99Ms, long maxMs) {}

  private static final class Ring {
    final long[] nanos = new long[WINDOW];
    long total;

    synchronized void add(long n) {
      nanos[(int) (total % WINDOW)] = n;
      total++;
    }

    synchronized Summary summary() {
      int n = (int) Math.min(total, WINDOW);
      long[] copy = Arrays.copyOf(nanos, n);
      Arrays.sort(copy);
      return new Summary(
          total, ms(copy, 0.50), ms(copy, 0.95), ms(copy, 0.99), copy[n - 1] / 1_000_000);
    }

    private static long ms(long[] sorted, double q) {
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1_000_000;
    }
  }

  private final Map<String, Ring> byType = new ConcurrentHashMap<>();

  @Override
  public void onEvent(JobEvent event) {
    if (event instanceof JobEvent.Succeeded s) {
      record(s.job().type(), s.took());
    }
  }

  void record(String type, Duration took) {
    Ring r = byType.get(type);
    if (r == null) {
      if (byType.size() >= MAX_TYPES) {
        return; // bounded: a runaway number of type names must not grow memory
      }
      r = byType.computeIfAbsent(type, t -> new Ring());
    }
    r.add(took.toNanos());
  }

  /** The summary for {@code type}, or null if none ran here. */
  Summary summary(String type) {
    Ring r = byType.get(type);
    return r == null ? null : r.summary();
  }

  java.util.Set<String> types() {
    return byType.keySet();
  }
}
