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
  private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);
  private final QueueBackend backend;
  private final Duration leaseDuration;
  private final Supplier<Collection<RunningJob>> active;
  private int consecutiveFailures;

  Heartbeater(
      QueueBackend backend, Duration leaseDuration, Supplier<Collection<RunningJob>> active) {
    this.backend = backend;
    this.leaseDuration = leaseDuration;
    this.active = active;
  }

  @Override
  public void run() {
    List<RunningJob> jobs = new ArrayList<>(active.get());
    if (jobs.isEmpty()) {
      return;
    }
    List<Lease> leases = new ArrayList<>(jobs.size());
    for (RunningJob rj : jobs) {
      leases.add(rj.lease());
    }
    FencedResult result;
    try {
      result = backend.heartbeat(new HeartbeatRequest(leases, leaseDuration));
      consecutiveFailures = 0;
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
      return;
    }
    for (RunningJob rj : jobs) {
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
