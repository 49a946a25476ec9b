package dev.keel.queue.internal;

import dev.keel.queue.Lease;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.HeartbeatRequest;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends the leases of all of a worker's jobs in one backend call per tick, and stops the handlers
 * of jobs whose lease turned out lost.
 */
final class Heartbeater implements Runnable {
  static final java.util.Comparator<RunningJob> BY_ID =
      java.util.Comparator.comparing(rj -> rj.job().id());
  private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);
  private final QueueBackend backend;
  private final Duration leaseDuration;
  private final Supplier<Collection<RunningJob>> active;
  private int consecutiveFailures;

  /** When a heartbeat last reached the backend (System.nanoTime); starts at creation. */
  private long lastSuccessNanos = System.nanoTime();

  Heartbeater(
      QueueBackend backend, Duration leaseDuration, Supplier<Collection<RunningJob>> active) {
    this.backend = backend;
    this.leaseDuration = leaseDuration;
    this.active = active;
  }

  /**
   * Without a heartbeat for longer than the lease, every lease has expired on the backend and the
   * jobs may already run elsewhere: stop the handlers, as if the leases were reported lost.
   */
  private void stopIfLeasesMustHaveExpired(List<RunningJob> jobs) {
    if (System.nanoTime() - lastSuccessNanos < leaseDuration.toNanos()) {
      return;
    }
    for (RunningJob rj : jobs) {
      if (!rj.finishing() && rj.stopReason() == null) {
        log.warn(
            "Job {} ({}): no heartbeat reached the backend for longer than the lease ({}); stopping its handler",
            rj.job().id(),
            rj.job().type(),
            leaseDuration);
        rj.requestStop(StopReason.LEASE_LOST);
      }
    }
  }

  private FencedResult heartbeatInChunks(List<Lease> leases) {
    int size = Math.max(1, Math.min(1_000, backend.capabilities().maxBatchSize()));
    if (leases.size() <= size) {
      return backend.heartbeat(new HeartbeatRequest(leases, leaseDuration));
    }
    java.util.Set<java.util.UUID> applied = new java.util.HashSet<>();
    java.util.Set<java.util.UUID> lost = new java.util.HashSet<>();
    for (int i = 0; i < leases.size(); i += size) {
      FencedResult r =
          backend.heartbeat(
              new HeartbeatRequest(
                  leases.subList(i, Math.min(leases.size(), i + size)), leaseDuration));
      applied.addAll(r.applied());
      lost.addAll(r.lost());
    }
    return new FencedResult(applied, lost);
  }

  @Override
  public void run() {
    List<RunningJob> jobs = new ArrayList<>(active.get());
    if (jobs.isEmpty()) {
      return;
    }
    // Always touch jobs in id order: a heartbeat and a finish of overlapping jobs then lock rows
    // in the same order and cannot deadlock (seen on PostgreSQL under load).
    jobs.sort(BY_ID);
    List<Lease> leases = new ArrayList<>(jobs.size());
    for (RunningJob rj : jobs) {
      leases.add(rj.lease());
    }
    FencedResult result;
    long sent = System.nanoTime();
    try {
      result = heartbeatInChunks(leases);
      consecutiveFailures = 0;
      lastSuccessNanos = System.nanoTime();
    } catch (RuntimeException e) {
      // Keep ticking: the next heartbeat may reach the backend before the leases run out; if not,
      // the jobs are rescued and our late results are fenced out.
      consecutiveFailures++;
      log.warn(
          "Heartbeat for {} jobs failed ({} in a row); leases expire after {} without one",
          jobs.size(),
          consecutiveFailures,
          leaseDuration,
          e);
      stopIfLeasesMustHaveExpired(jobs);
      return;
    }
    for (RunningJob rj : jobs) {
      if (result.isApplied(rj.job().id())) {
        rj.leaseConfirmed(sent, leaseDuration);
      }
      if (result.isLost(rj.job().id())) {
        if (rj.finishing()) {
          // Its result was just stored (or is being stored): the finisher reports the outcome.
          continue;
        }
        log.warn(
            "Job {} ({}) lease lost (cancelled or rescued elsewhere); stopping its handler",
            rj.job().id(),
            rj.job().type());
        rj.requestStop(StopReason.LEASE_LOST);
      }
    }
  }
}
