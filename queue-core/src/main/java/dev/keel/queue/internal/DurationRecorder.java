package dev.keel.queue.internal;

import dev.keel.queue.HealthSnapshot.RecentDurations;
import java.time.Duration;
import java.util.Arrays;

/** The last {@value #SIZE} handler durations in this process, for the health snapshot. */
public final class DurationRecorder {
  static final int SIZE = 1024;
  private final long[] nanos = new long[SIZE];
  private long count;

  public synchronized void record(Duration d) {
    nanos[(int) (count % SIZE)] = d.toNanos();
    count++;
  }

  public RecentDurations summary() {
    long[] copy;
    long total;
    synchronized (this) {
      total = count;
      copy = Arrays.copyOf(nanos, (int) Math.min(count, SIZE));
    }
    if (copy.length == 0) {
      return RecentDurations.NONE;
    }
    Arrays.sort(copy);
    return new RecentDurations(
        total,
        Duration.ofNanos(copy[(int) Math.floor(0.50 * (copy.length - 1))]),
        Duration.ofNanos(copy[(int) Math.floor(0.99 * (copy.length - 1))]),
        Duration.ofNanos(copy[copy.length - 1]));
  }
}
