package dev.keel.queue.internal;

import dev.keel.queue.MaintenanceReport;
import dev.keel.queue.Retention;
import dev.keel.queue.spi.MaintenanceLockRequest;
import dev.keel.queue.spi.PruneRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.RescueRequest;
import dev.keel.queue.spi.RescueResult;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rescues expired leases and prunes finished jobs, on one node at a time (the backend's maintenance
 * lock), in bounded batches so no run holds the backend for long.
 */
public final class MaintenanceRunner {
  private static final Logger log = LoggerFactory.getLogger(MaintenanceRunner.class);
  static final int RESCUE_BATCH = 500;
  static final int PRUNE_BATCH = 1_000;
  static final int MAX_BATCHES = 10;

  private final QueueBackend backend;
  private final Retention retention;
  private final Duration lockTtl;
  private final Listeners listeners;
  private final BlockedJobs blocked;
  static final int SWEEP_LIMIT = 500;

  public MaintenanceRunner(
      QueueBackend backend,
      Retention retention,
      Duration lockTtl,
      Listeners listeners,
      BlockedJobs blocked) {
    this.blocked = blocked;
    this.backend = backend;
    this.retention = retention;
    this.lockTtl = lockTtl;
    this.listeners = listeners;
  }

  public MaintenanceReport runOnce(String owner) {
    return runOnce(owner, lockTtl);
  }

  /**
   * The lock a worker holds between its runs, for {@code interval}: twice the interval (at least 5
   * s, at most the default TTL), so a holder that died (SIGKILL) hands maintenance to another node
   * within two intervals instead of a minute, while a holder that runs on time keeps it.
   */
  static Duration lockTtlFor(Duration interval, Duration max) {
    Duration ttl = interval.multipliedBy(2);
    if (ttl.compareTo(Duration.ofSeconds(5)) < 0) {
      ttl = Duration.ofSeconds(5);
    }
    return ttl.compareTo(max) > 0 ? max : ttl;
  }

  private MaintenanceReport runOnce(String owner, Duration ttl) {
    if (!backend.lockMaintenance(new MaintenanceLockRequest(owner, ttl))) {
      return new MaintenanceReport(false, 0, 0, 0);
    }
    int rescued = 0;
    int failed = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      RescueResult r = backend.rescue(new RescueRequest(RESCUE_BATCH));
      rescued += r.retried().size();
      failed += r.failed().size();
      if (!r.retried().isEmpty()) {
        log.warn(
            "Rescued {} jobs whose lease expired (their worker stopped heartbeating): {}",
            r.retried().size(),
            r.retried());
      }
      if (!r.failed().isEmpty()) {
        log.error(
            "{} jobs' lease expired on their last attempt; marked FAILED: {}",
            r.failed().size(),
            r.failed());
        blocked.resolveAfter(
            new java.util.HashSet<>(r.failed()), java.util.Set.of(), "a rescue marked jobs FAILED");
      }
      if (r.total() < RESCUE_BATCH) {
        break;
      }
    }
    try {
      blocked.sweep(SWEEP_LIMIT);
    } catch (RuntimeException e) {
      log.warn("Sweep of blocked jobs failed; the next maintenance run sweeps again", e);
    }
    long pruned = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      long n =
          backend
              .prune(
                  new PruneRequest(
                      retention.succeeded(),
                      retention.failed(),
                      retention.cancelled(),
                      PRUNE_BATCH))
              .deleted();
      pruned += n;
      if (n < PRUNE_BATCH) {
        break;
      }
    }
    if (pruned > 0) {
      log.info("Pruned {} finished jobs past retention", pruned);
    }
    MaintenanceReport report = new MaintenanceReport(true, rescued, failed, pruned);
    listeners.fireMaintenance(report);
    return report;
  }

  /** {@link #runOnce} for timers: a failure is logged and the next run tries again. */
  void runSafely(String owner, Duration interval) {
    try {
      runOnce(owner, lockTtlFor(interval, lockTtl));
    } catch (RuntimeException e) {
      log.warn("Maintenance run by {} failed; the next run will try again", owner, e);
    }
  }

  void unlockSafely(String owner) {
    try {
      backend.unlockMaintenance(owner);
    } catch (RuntimeException e) {
      log.warn(
          "Could not release the maintenance lock held by {}; it expires after {}",
          owner,
          lockTtl,
          e);
    }
  }
}
