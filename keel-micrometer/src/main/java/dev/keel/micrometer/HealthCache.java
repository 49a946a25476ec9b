package dev.keel.micrometer;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One health snapshot shared by every gauge, taken from the source at most once per interval (on
 * the first gauge read after the interval passed, so nothing is queried while nobody scrapes).
 *
 * <p>A reader that finds the values stale takes the snapshot itself; a reader that arrives while
 * another thread is taking it returns the previous values at once rather than wait or query again
 * (only the very first snapshot is waited for). When the source throws or reports the backend
 * unreachable, the last good values are kept and {@link Values#reachable()} is false. Reading never
 * throws.
 */
final class HealthCache {
  private static final Logger log = LoggerFactory.getLogger(HealthCache.class);

  private final Supplier<HealthSnapshot> source;
  private final InstantSource clock;
  private final long intervalMillis;
  private final Consumer<Set<String>> onTypes;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile Values values = Values.NONE;
  private volatile boolean attempted;
  private volatile long lastAttemptMillis;
  private boolean reportedDown; // guarded by lock

  /**
   * @param onTypes told the types of each good snapshot, after the lock is released (so gauges of
   *     new types can be registered)
   */
  HealthCache(
      Supplier<HealthSnapshot> source,
      InstantSource clock,
      Duration interval,
      Consumer<Set<String>> onTypes) {
    this.source = source;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
    this.onTypes = onTypes;
  }

  /** The current values, refreshed first if the interval has passed. Never throws. */
  Values values() {
    try {
      if (stale(clock.millis())) {
        refresh();
      }
    } catch (RuntimeException e) {
      // A broken clock or callback must not break the scrape; the gauges show the last values.
      log.warn("Keel metrics: refreshing the health figures failed; keeping the last values", e);
    }
    return values;
  }

  private boolean stale(long now) {
    if (!attempted) {
      return true;
    }
    long last = lastAttemptMillis;
    return now - last >= intervalMillis || now < last;
  }

  private void refresh() {
    if (attempted) {
      if (!lock.tryLock()) {
        return; // another reader is taking the snapshot: show the previous values meanwhile
      }
    } else {
      lock.lock();
    }
    Set<String> types = null;
    try {
      long now = clock.millis();
      if (!stale(now)) {
        return;
      }
      lastAttemptMillis = now;
      attempted = true;
      HealthSnapshot snapshot;
      try {
        snapshot = source.get();
      } catch (RuntimeException e) {
        down("the health source threw " + e, e);
        return;
      }
      if (snapshot == null) {
        down("the health source returned no snapshot", null);
      } else if (!snapshot.backendReachable()) {
        down("backend " + snapshot.backend() + " unreachable: " + snapshot.backendError(), null);
      } else {
        if (reportedDown) {
          log.info("Keel metrics: backend {} reachable again", snapshot.backend());
          reportedDown = false;
        }
        values = new Values(snapshot, true);
        types = snapshot.countsByType().keySet();
      }
    } finally {
      lock.unlock();
    }
    if (types != null) {
      onTypes.accept(types);
    }
  }

  private void down(String why, Throwable cause) {
    values = new Values(values.snapshot(), false);
    if (!reportedDown) {
      reportedDown = true;
      if (cause != null) {
        log.warn("Keel metrics: {}; gauges keep their last values", why, cause);
      } else {
        log.warn("Keel metrics: {}; gauges keep their last values", why);
      }
    } else if (log.isDebugEnabled()) {
      log.debug("Keel metrics: still no health figures: {}", why, cause);
    }
  }

  /**
   * The figures the gauges show: the last good snapshot (null before the first) and reachability.
   */
  record Values(HealthSnapshot snapshot, boolean reachable) {
    static final Values NONE = new Values(null, false);

    double count(JobState state) {
      return snapshot == null ? 0 : snapshot.count(state);
    }

    double count(String type, JobState state) {
      if (snapshot == null) {
        return 0;
      }
      Map<JobState, Long> byState = snapshot.countsByType().get(type);
      return byState == null ? 0 : byState.getOrDefault(state, 0L);
    }

    double stuck() {
      return snapshot == null ? 0 : snapshot.stuck();
    }

    double failedLastHour() {
      return snapshot == null ? 0 : snapshot.failedLastHour();
    }

    double oldestDueAgeMillis() {
      return snapshot == null ? 0 : snapshot.oldestDueAge().map(Duration::toMillis).orElse(0L);
    }

    double reachableValue() {
      return reachable ? 1 : 0;
    }
  }
}
